///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.pie-project:pie-client:${pie.version:0.1.0}
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-toml:2.22.3
// The pie-client command line through JBang (its two libraries are optional dependencies of the library,
// so they are named here):  jbang scripts/jbang/PieClientCli.java submit text-completion@0.1.0 -- --prompt hi
public class PieClientCli {
    public static void main(String[] args) {
        org.pieproject.client.cli.PieCli.main(args);
    }
}
