package org.pieproject.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlFactory;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

/**
 * The client config file, {@code ~/.pie/cli_config.toml} (see {@link ConfigLocation}), in the official
 * client's format: top-level
 * {@code host}, {@code port}, {@code username}, {@code private_key_path} and {@code enable_auth}, each
 * optional. Other keys are kept as they are when the file is updated.
 */
final class ConfigFile {
    static final String HOST = "host";
    static final String PORT = "port";
    static final String USERNAME = "username";
    static final String PRIVATE_KEY_PATH = "private_key_path";
    static final String ENABLE_AUTH = "enable_auth";

    /**
     * Reads TOML. Not a {@code TomlMapper}: building an {@code ObjectMapper} took 40-50 ms of every
     * command's start, and reading a tree needs only the format's parser.
     */
    private static final TomlFactory TOML = new TomlFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Path path;
    private final ObjectNode root;
    private final String text;

    private ConfigFile(Path path, ObjectNode root, String text) {
        this.path = path;
        this.root = root;
        this.text = text;
    }

    /**
     * Reads and checks a config file.
     *
     * @throws CliException if it is missing, unreadable, not TOML, or a known key has the wrong type
     */
    static ConfigFile load(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CliException("Config file not found at '" + path + "'");
        } catch (IOException e) {
            throw new CliException("Cannot read config file '" + path + "': " + e.getMessage(), e);
        }
        ConfigFile file = new ConfigFile(path, parseToml(text, "config file '" + path + "'"), text);
        file.host();
        file.port();
        file.username();
        file.privateKeyPath();
        file.enableAuth();
        return file;
    }

    /** Parses TOML text into a tree; {@code what} names the source in the error. */
    static ObjectNode parseToml(String text, String what) {
        try (JsonParser p = TOML.createParser(text)) {
            JsonNode tree = p.nextToken() == null ? null : tree(p);
            return tree instanceof ObjectNode o ? o : NODES.objectNode();
        } catch (JacksonException e) {
            throw new CliException(what + " is not valid TOML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        } catch (IOException e) {
            throw new CliException("Cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** The value at the parser's current token, as the nodes {@code TomlMapper.readTree} would give. */
    private static JsonNode tree(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    o.set(key, tree(p));
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) a.add(tree(p));
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                case BIG_INTEGER -> NODES.numberNode(p.getBigIntegerValue());
                case FLOAT -> NODES.numberNode(p.getFloatValue());
                case DOUBLE -> NODES.numberNode(p.getDoubleValue());
                case BIG_DECIMAL -> NODES.numberNode(p.getDecimalValue());
            };
            case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(p.getBooleanValue());
            case VALUE_EMBEDDED_OBJECT -> NODES.pojoNode(p.getEmbeddedObject());
            default -> NODES.nullNode();
        };
    }

    /**
     * The content {@code config init} writes, in the official client's layout. With authentication off the
     * key path is left empty.
     */
    static String initialContent(String username, String privateKeyPath, boolean enableAuth) {
        return "host = \"127.0.0.1\"\n"
                + "port = 8080\n"
                + "username = " + quote(username) + "\n"
                + "private_key_path = " + quote(enableAuth ? privateKeyPath : "") + "\n"
                + "enable_auth = " + enableAuth + "\n";
    }

    Path path() {
        return path;
    }

    String host() {
        return string(HOST);
    }

    Integer port() {
        JsonNode n = root.get(PORT);
        if (n == null || n.isNull()) return null;
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 1 || n.intValue() > 65535) {
            throw new CliException(where(PORT) + "port must be a number from 1 to 65535, not " + n);
        }
        return n.intValue();
    }

    String username() {
        return string(USERNAME);
    }

    String privateKeyPath() {
        return string(PRIVATE_KEY_PATH);
    }

    Boolean enableAuth() {
        JsonNode n = root.get(ENABLE_AUTH);
        if (n == null || n.isNull()) return null;
        if (!n.isBoolean()) throw new CliException(where(ENABLE_AUTH) + "enable_auth must be true or false, not " + n);
        return n.booleanValue();
    }

    private String string(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw new CliException(where(key) + key + " must be a string, not " + n);
        return n.textValue();
    }

    /** "config file 'x', line n: " for a top-level key's line (found in the text, which the tree forgets). */
    private String where(String key) {
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("[")) break; // tables follow the top-level keys
            if (line.startsWith(key) && line.substring(key.length()).stripLeading().startsWith("=")) {
                return "config file '" + path + "', line " + (i + 1) + ": ";
            }
        }
        return "config file '" + path + "': ";
    }

    void set(String key, String value) {
        root.put(key, value);
    }

    void set(String key, int value) {
        root.put(key, value);
    }

    void set(String key, boolean value) {
        root.put(key, value);
    }

    /** Writes the file back: scalar keys first, as {@code key = "value"} lines like the official client's. */
    void save() {
        StringBuilder sb = new StringBuilder();
        Map<String, JsonNode> nested = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            JsonNode v = e.getValue();
            String key = bareKey(e.getKey()) ? e.getKey() : quote(e.getKey());
            if (v.isTextual()) sb.append(key).append(" = ").append(quote(v.textValue())).append('\n');
            else if (v.isNumber() || v.isBoolean()) sb.append(key).append(" = ").append(v.asText()).append('\n');
            else nested.put(e.getKey(), v);
        }
        try {
            if (!nested.isEmpty()) {
                ObjectNode rest = JsonNodeFactory.instance.objectNode();
                rest.setAll(nested);
                sb.append(new TomlMapper().writeValueAsString(rest));
            }
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(path, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("Cannot write config file '" + path + "': " + e.getMessage(), e);
        }
    }

    private static boolean bareKey(String key) {
        return !key.isEmpty() && key.chars().allMatch(c -> c == '_' || c == '-' || c >= 'a' && c <= 'z'
                || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9');
    }

    /** A TOML basic string: double quotes, with backslash escapes for quotes, backslashes and controls. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
