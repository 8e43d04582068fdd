package org.pieproject.client.cli;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.google.gson.GsonBuilder;

/**
 * Turns the arguments after {@code --} into the inferlet's JSON input, as the official client does:
 * {@code --max-tokens 64} becomes {@code "max_tokens": 64}, a {@code --flag} not followed by a value becomes
 * {@code true}, {@code -k value} becomes {@code "k": value}, and anything else is collected, in order, under
 * {@code "_positional"}. Values that read as integers, then decimals, then {@code true}/{@code false} get
 * those JSON types; everything else stays a string.
 */
final class InputArguments {
    private static final Pattern INTEGER = Pattern.compile("\\s*[+-]?\\d(_?\\d)*\\s*");
    private static final Pattern DECIMAL = Pattern.compile(
            "\\s*[+-]?(\\d(_?\\d)*(\\.(\\d(_?\\d)*)?)?|\\.\\d(_?\\d)*)([eE][+-]?\\d(_?\\d)*)?\\s*");

    private InputArguments() {
    }

    /** The JSON object text for {@code arguments}; {@code {}} when there are none. */
    static String toJson(List<String> arguments) {
        return new GsonBuilder().disableHtmlEscaping().create()
                .toJson(toMap(arguments));
    }

    static Map<String, Object> toMap(List<String> arguments) {
        Map<String, Object> input = new LinkedHashMap<>();
        List<Object> positional = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            String arg = arguments.get(i);
            boolean hasNext = i + 1 < arguments.size();
            if (arg.startsWith("--")) {
                String key = arg.substring(2).replace('-', '_');
                if (hasNext && !arguments.get(i + 1).startsWith("-")) {
                    input.put(key, value(arguments.get(++i)));
                } else {
                    input.put(key, true);
                }
            } else if (arg.startsWith("-") && arg.length() == 2) {
                // A short option always takes the next argument, even one that starts with '-' (say, -5);
                // a trailing one with nothing after it is dropped, as the official client drops it.
                if (hasNext) input.put(arg.substring(1), value(arguments.get(++i)));
            } else {
                positional.add(value(arg));
            }
        }
        if (!positional.isEmpty()) input.put("_positional", positional);
        return input;
    }

    /** The typed value of one argument: integer, then decimal, then boolean, else the text itself. */
    static Object value(String s) {
        if (INTEGER.matcher(s).matches()) {
            BigInteger n = new BigInteger(s.strip().replace("_", ""));
            return n.bitLength() < 64 ? (Object) n.longValueExact() : n;
        }
        if (DECIMAL.matcher(s).matches()) {
            double d = Double.parseDouble(s.strip().replace("_", ""));
            if (Double.isFinite(d)) return d;
        }
        if (s.equals("true")) return true;
        if (s.equals("false")) return false;
        return s;
    }
}
