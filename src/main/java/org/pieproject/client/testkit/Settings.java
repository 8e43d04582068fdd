package org.pieproject.client.testkit;

import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Everything {@link PieTestServer.Builder} configures, frozen at start. */
record Settings(
        String host,
        int port,
        Map<String, Inferlet> inferlets,
        Map<String, Inferlet> uploadInferlets,
        Inferlet defaultUploadInferlet,
        long maxUploadMb,
        boolean authEnabled,
        Map<String, List<PublicKey>> users,
        String token,
        Duration tokenFailureDelay,
        boolean trustIdentityHeader,
        boolean detachOnDisconnect,
        Map<String, Object> modelStatus,
        int maxMessageBytes) {
}
