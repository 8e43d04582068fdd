package org.pieproject.client.mcp;

import java.time.Duration;

/**
 * Run as a child JVM by {@link McpBridgeTest}: starts a fake server that ignores both the end of its input
 * and SIGTERM, prints its pid, and lets the JVM exit without closing the bridge, so that only the shutdown
 * hook can end the child.
 */
public final class BridgeExitProbe {

    public static void main(String[] args) {
        McpBridge bridge = new McpBridge(Duration.ofSeconds(20), Duration.ofSeconds(5));
        FakeServers.register(bridge, "left-open", "stubborn");
        long pid = FakeServers.liveFakes().getFirst().pid();
        System.out.println(pid);
        System.out.flush();
    }
}
