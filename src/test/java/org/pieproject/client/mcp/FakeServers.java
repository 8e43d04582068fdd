package org.pieproject.client.mcp;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** How tests start {@link FakeMcpServer} (and other test mains) as child JVMs, and find them afterwards. */
final class FakeServers {

    private FakeServers() {}

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** JVM arguments that run {@code mainClass} quickly with this test's class path. */
    static List<String> jvmArgs(Class<?> mainClass, String... args) {
        List<String> all = new ArrayList<>(List.of(
                "-cp", System.getProperty("java.class.path"),
                // A child JVM per test: start fast, stay small.
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx256m",
                mainClass.getName()));
        all.addAll(Arrays.asList(args));
        return all;
    }

    /** Registers a {@link FakeMcpServer} running in {@code mode} under {@code name}. */
    static void register(McpBridge bridge, String name, String... modeAndArgs) {
        bridge.register(name, "stdio", javaBinary(), jvmArgs(FakeMcpServer.class, modeAndArgs), null);
    }

    /** Live descendants of this JVM that run {@link FakeMcpServer}. */
    static List<ProcessHandle> liveFakes() {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info().arguments()
                        .map(args -> Arrays.asList(args).contains(FakeMcpServer.class.getName()))
                        .orElse(false))
                .toList();
    }
}
