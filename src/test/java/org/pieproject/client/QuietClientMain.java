package org.pieproject.client;

import java.util.List;

/**
 * The child JVM of {@link QuietClientTest}. Arguments: an engine with authentication disabled, one with it
 * enabled, and alice's key file. Exits 2, without printing, if a session does not go as expected; an
 * exception's stack trace on stderr fails the test as well.
 */
public final class QuietClientMain {
    private QuietClientMain() {
    }

    public static void main(String[] args) {
        boolean ok;
        try (PieClient client = PieClient.connect(args[0])) {
            client.authenticate("bob");
            ok = session(client);
        }
        ParsedPrivateKey key = ParsedPrivateKey.fromFile(args[2]);
        try (PieClient client = PieClient.builder().uri(args[1]).build()) {
            client.authenticate("alice", key);
            ok &= session(client);
        }
        if (!ok) System.exit(2);
    }

    /** Launches the chatty inferlet and reads every event; true if all arrived. */
    private static boolean session(PieClient client) {
        client.ping();
        List<ProcessEvent> events = client.launchProcess("chatty@0.1.0", "{}").events().toList();
        return events.size() == 5
                && events.get(0).equals(new ProcessEvent.Stdout("one "))
                && events.get(1).equals(new ProcessEvent.Stderr("two "))
                && events.get(2).equals(new ProcessEvent.Message("three"))
                && events.get(3) instanceof ProcessEvent.File f && f.data().length == 300_000
                && events.get(4).equals(new ProcessEvent.Return("{\"five\":5}"));
    }
}
