import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Validates a release bundle (the zip scripts/release writes) the way the Central Publisher Portal does, and
 * prints every problem it finds; exit status 0 only when there is none:
 * one groupId/artifactId/version directory; a release version; the pom with name, description, url, a
 * licence, a developer and scm; the jar, -sources and -javadoc jars; for every file a .asc signature that
 * gpg verifies and .md5/.sha1 checksums that match; no SNAPSHOT dependency or parent.
 *
 *   java scripts/CheckBundle.java target/release/pie-client-0.1.0-bundle.zip
 *
 * Signatures are checked against the keys in gpg's keyring (GNUPGHOME), as Central checks them against the
 * public key servers.
 */
public class CheckBundle {
    private final List<String> problems = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java scripts/CheckBundle.java <bundle.zip>");
            System.exit(2);
        }
        CheckBundle check = new CheckBundle();
        check.check(Path.of(args[0]));
        if (check.problems.isEmpty()) {
            System.out.println("check-bundle: " + args[0] + " is valid");
            return;
        }
        for (String p : check.problems) System.err.println("check-bundle: " + p);
        System.exit(1);
    }

    void check(Path zip) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (!e.isDirectory()) files.put(e.getName(), in.readAllBytes());
            }
        }
        Map<String, List<String>> byDir = new HashMap<>();
        for (String name : files.keySet()) {
            int slash = name.lastIndexOf('/');
            byDir.computeIfAbsent(slash < 0 ? "" : name.substring(0, slash), k -> new ArrayList<>()).add(name);
        }
        if (byDir.size() != 1) {
            problems.add("expected one groupId/artifactId/version directory, found " + byDir.keySet());
            return;
        }
        String dir = byDir.keySet().iterator().next();
        String[] parts = dir.split("/");
        if (parts.length < 3) {
            problems.add("'" + dir + "' is not a groupId/artifactId/version path");
            return;
        }
        String version = parts[parts.length - 1];
        String artifactId = parts[parts.length - 2];
        String groupId = String.join(".", List.of(parts).subList(0, parts.length - 2));
        if (version.contains("SNAPSHOT")) problems.add("version " + version + " is a SNAPSHOT");
        String base = dir + "/" + artifactId + "-" + version;
        for (String suffix : new String[] {".pom", ".jar", "-sources.jar", "-javadoc.jar"}) {
            if (!files.containsKey(base + suffix)) problems.add("missing " + base + suffix);
        }
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            String name = f.getKey();
            if (name.endsWith(".asc") || name.endsWith(".md5") || name.endsWith(".sha1")
                    || name.endsWith(".sha256") || name.endsWith(".sha512")) continue;
            checksum(files, name, ".md5", "MD5");
            checksum(files, name, ".sha1", "SHA-1");
            signature(files, name);
        }
        byte[] pom = files.get(base + ".pom");
        if (pom != null) pom(pom, groupId, artifactId, version);
    }

    private void checksum(Map<String, byte[]> files, String name, String suffix, String algorithm) throws Exception {
        byte[] given = files.get(name + suffix);
        if (given == null) {
            problems.add("missing " + name + suffix);
            return;
        }
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(files.get(name)));
        String text = new String(given, StandardCharsets.US_ASCII).strip().split("\\s+")[0];
        if (!text.equalsIgnoreCase(expected)) problems.add(name + suffix + " does not match the file");
    }

    private void signature(Map<String, byte[]> files, String name) throws Exception {
        byte[] asc = files.get(name + ".asc");
        if (asc == null) {
            problems.add("missing " + name + ".asc");
            return;
        }
        Path tmp = Files.createTempDirectory("check-bundle");
        try {
            Path file = Files.write(tmp.resolve("file"), files.get(name));
            Path sig = Files.write(tmp.resolve("file.asc"), asc);
            Process gpg = new ProcessBuilder("gpg", "--batch", "--verify", sig.toString(), file.toString())
                    .redirectErrorStream(true).start();
            String output;
            try (InputStream out = gpg.getInputStream()) {
                output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (gpg.waitFor() != 0) problems.add(name + ".asc does not verify: " + output.strip().replace('\n', ' '));
        } finally {
            try (var s = Files.list(tmp)) {
                for (Path p : (Iterable<Path>) s::iterator) Files.delete(p);
            }
            Files.delete(tmp);
        }
    }

    private void pom(byte[] bytes, String groupId, String artifactId, String version) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc;
        try {
            doc = f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(bytes));
        } catch (Exception e) {
            problems.add("the pom is not well-formed XML: " + e.getMessage());
            return;
        }
        Element project = doc.getDocumentElement();
        Map<String, String> properties = new HashMap<>();
        Element props = child(project, "properties");
        if (props != null) {
            for (Node n = props.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e) properties.put(e.getTagName(), e.getTextContent().strip());
            }
        }
        properties.put("project.version", text(project, "version"));
        expect(project, "groupId", groupId);
        expect(project, "artifactId", artifactId);
        expect(project, "version", version);
        for (String required : new String[] {"name", "description", "url"}) {
            if (text(project, required).isEmpty()) problems.add("the pom has no <" + required + ">");
        }
        Element licenses = child(project, "licenses");
        Element license = licenses == null ? null : child(licenses, "license");
        if (license == null || text(license, "name").isEmpty()) problems.add("the pom has no <licenses> with a named <license>");
        Element developers = child(project, "developers");
        if (developers == null || child(developers, "developer") == null) problems.add("the pom has no <developers>/<developer>");
        Element scm = child(project, "scm");
        if (scm == null || text(scm, "url").isEmpty() || text(scm, "connection").isEmpty()) {
            problems.add("the pom has no <scm> with <url> and <connection>");
        }
        Element parent = child(project, "parent");
        if (parent != null && text(parent, "version").contains("SNAPSHOT")) problems.add("the parent is a SNAPSHOT");
        List<Element> deps = new ArrayList<>();
        collect(project, "dependency", deps);
        for (Element dep : deps) {
            String v = resolve(text(dep, "version"), properties);
            if (v.contains("SNAPSHOT")) {
                problems.add("dependency " + text(dep, "groupId") + ":" + text(dep, "artifactId") + ":" + v + " is a SNAPSHOT");
            }
        }
    }

    private void expect(Element project, String tag, String expected) {
        String actual = text(project, tag);
        if (!actual.equals(expected)) problems.add("the pom's <" + tag + "> is '" + actual + "', its path says '" + expected + "'");
    }

    private static String resolve(String value, Map<String, String> properties) {
        Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(properties.getOrDefault(m.group(1), m.group())));
        return m.appendTail(sb).toString();
    }

    private static void collect(Element e, String tag, List<Element> into) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                if (c.getTagName().equals(tag)) into.add(c);
                else collect(c, tag, into);
            }
        }
    }

    private static Element child(Element e, String tag) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(tag)) return c;
        }
        return null;
    }

    private static String text(Element e, String tag) {
        Element c = child(e, tag);
        return c == null ? "" : c.getTextContent().strip();
    }
}
