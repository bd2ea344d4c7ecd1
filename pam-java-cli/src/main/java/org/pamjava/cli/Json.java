package org.pamjava.cli;

import java.util.List;
import java.util.Map;

/** Just enough JSON output for {@code simulate --json}: maps, lists, strings, numbers, booleans, null. */
final class Json {
    private Json() {}

    /** {@code value} as compact JSON; maps keep their iteration order. */
    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    /**
     * A map as a JSON object for people and programs alike: one key per line, and each element of
     * a list value on a line of its own.
     */
    static String writeObjectByLines(Map<String, ?> map) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, ?> e : map.entrySet()) {
            sb.append(first ? "\n  " : ",\n  ");
            first = false;
            string(sb, e.getKey());
            sb.append(": ");
            if (e.getValue() instanceof List<?> list && !list.isEmpty()) {
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    sb.append(i == 0 ? "\n    " : ",\n    ");
                    write(sb, list.get(i));
                }
                sb.append("\n  ]");
            } else {
                write(sb, e.getValue());
            }
        }
        return sb.append("\n}").toString();
    }

    private static void write(StringBuilder sb, Object value) {
        switch (value) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Number n -> sb.append(n);
            case Boolean b -> sb.append(b);
            case Map<?, ?> map -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    sb.append(first ? "" : ", ");
                    first = false;
                    string(sb, e.getKey().toString());
                    sb.append(": ");
                    write(sb, e.getValue());
                }
                sb.append('}');
            }
            case List<?> list -> {
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    sb.append(i == 0 ? "" : ", ");
                    write(sb, list.get(i));
                }
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("no JSON form for " + value.getClass());
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
