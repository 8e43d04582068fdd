package org.pieproject.client.readme;

import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;

/**
 * The child JVM of {@link ReadmeTest}'s MCP test: runs the README's MCP block, then an inferlet that calls
 * the registered server, and prints what that call returned. Arguments: the engine URI and alice's key file.
 */
public final class ReadmeMcpChild {
    private ReadmeMcpChild() {
    }

    public static void main(String[] args) {
        try (PieClient client = PieClient.connect(args[0])) {
            client.authenticate("alice", ParsedPrivateKey.fromFile(args[1]));
            ReadmeSnippets.mcp(client);
            PieProcess check = client.launchProcess("mcp-check@0.1.0", "{}");
            System.out.println(check.result());
        }
    }
}
