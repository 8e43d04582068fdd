package org.pieproject.client.testkit;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads a program's identity ({@code [package] name} and {@code version}) out of a {@code Pie.toml}. Not a
 * TOML parser: it understands tables, comments, {@code key = value} lines, basic and literal strings, and
 * skips multi-line arrays and strings, which is what manifests use. Failures carry a short detail for the
 * engine's "Invalid manifest: Failed to parse manifest TOML: <detail>" reply.
 */
final class ManifestParser {

    /** The program identity a manifest declares. */
    record Identity(String name, String version) {
        String id() {
            return name + "@" + version;
        }
    }

    /** A manifest that cannot be read; the message is the detail for the reply. */
    static final class InvalidManifest extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidManifest(String detail) {
            super(detail, null, false, false);
        }
    }

    private ManifestParser() {
    }

    static Identity parse(String text) throws InvalidManifest {
        String[] lines = text.split("\r?\n", -1);
        String table = "";
        boolean sawPackage = false;
        Map<String, String> pkg = new HashMap<>();
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = stripComment(lines[i]).strip();
            if (line.isEmpty()) continue;
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) throw new InvalidManifest(at(lineNo, "invalid table header"));
                boolean arrayTable = line.startsWith("[[");
                String name = line.substring(arrayTable ? 2 : 1, line.length() - (arrayTable ? 2 : 1)).strip();
                if (name.isEmpty()) throw new InvalidManifest(at(lineNo, "invalid table header"));
                table = arrayTable ? "[[" + name + "]]" : name;
                if (table.equals("package")) {
                    if (sawPackage) throw new InvalidManifest(at(lineNo, "duplicate key `package`"));
                    sawPackage = true;
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) throw new InvalidManifest(at(lineNo, "expected `=` after a key"));
            String key = unquoteKey(line.substring(0, eq).strip());
            if (key.isEmpty()) throw new InvalidManifest(at(lineNo, "invalid key"));
            String value = line.substring(eq + 1).strip();
            if (value.isEmpty()) throw new InvalidManifest(at(lineNo, "expected a value"));
            // Values that span lines: skip their continuation lines.
            if (value.startsWith("\"\"\"") || value.startsWith("'''")) {
                String fence = value.substring(0, 3);
                if (value.length() < 6 || !value.endsWith(fence)) {
                    while (++i < lines.length && !lines[i].contains(fence)) {
                        // inside a multi-line string
                    }
                    if (i >= lines.length) throw new InvalidManifest(at(lineNo, "unterminated multi-line string"));
                }
            } else if (value.startsWith("[") || value.startsWith("{")) {
                int depth = depth(value);
                while (depth > 0 && ++i < lines.length) depth += depth(stripComment(lines[i]));
                if (depth > 0) throw new InvalidManifest(at(lineNo, "unclosed array"));
            }
            if (table.equals("package") && (key.equals("name") || key.equals("version"))) {
                if (pkg.containsKey(key)) throw new InvalidManifest(at(lineNo, "duplicate key `" + key + "`"));
                pkg.put(key, stringValue(value, key, lineNo));
            }
        }
        if (!sawPackage) throw new InvalidManifest("missing field `package`");
        if (!pkg.containsKey("name")) throw new InvalidManifest("missing field `name`");
        if (!pkg.containsKey("version")) throw new InvalidManifest("missing field `version`");
        return new Identity(pkg.get("name"), pkg.get("version"));
    }

    private static String at(int line, String what) {
        return "TOML parse error at line " + line + ": " + what;
    }

    private static String unquoteKey(String key) {
        if (key.length() >= 2 && (key.startsWith("\"") && key.endsWith("\"") || key.startsWith("'") && key.endsWith("'"))) {
            return key.substring(1, key.length() - 1);
        }
        return key;
    }

    /** Net bracket depth of a line, ignoring brackets inside strings. */
    private static int depth(String s) {
        int d = 0;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"') i++;
                else if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '[' || c == '{') {
                d++;
            } else if (c == ']' || c == '}') {
                d--;
            }
        }
        return d;
    }

    /** Removes a trailing {@code #} comment that is not inside a string. */
    private static String stripComment(String s) {
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"') i++;
                else if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#') {
                return s.substring(0, i);
            }
        }
        return s;
    }

    private static String stringValue(String value, String key, int line) throws InvalidManifest {
        if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'") && !value.startsWith("'''")) {
            String body = value.substring(1, value.length() - 1);
            if (body.indexOf('\'') >= 0) throw new InvalidManifest(at(line, "invalid literal string"));
            return body;
        }
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") && !value.startsWith("\"\"\"")) {
            return unescape(value.substring(1, value.length() - 1), line);
        }
        throw new InvalidManifest("invalid type: expected a string for `package." + key + "` (line " + line + ")");
    }

    private static String unescape(String body, int line) throws InvalidManifest {
        StringBuilder sb = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '"') throw new InvalidManifest(at(line, "unexpected `\"` in a string"));
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= body.length()) throw new InvalidManifest(at(line, "invalid escape sequence"));
            char e = body.charAt(i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case 'u', 'U' -> {
                    int n = e == 'u' ? 4 : 8;
                    try {
                        sb.appendCodePoint(Integer.parseInt(body.substring(i + 1, i + 1 + n), 16));
                    } catch (IllegalArgumentException | IndexOutOfBoundsException ex) {
                        throw new InvalidManifest(at(line, "invalid unicode escape"));
                    }
                    i += n;
                }
                default -> throw new InvalidManifest(at(line, "invalid escape sequence `\\" + e + "`"));
            }
        }
        return sb.toString();
    }
}
