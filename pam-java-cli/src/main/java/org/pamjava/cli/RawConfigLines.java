package org.pamjava.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A pam.d file's rules as written, for the checks the parsed form cannot serve (the text of a
 * control, the file an include names): comments dropped, backslash-continued lines joined, each
 * logical line with the number of its first physical line, split into words with a bracketed
 * control kept as one word.
 */
final class RawConfigLines {

    /** A logical line and its words. */
    record Line(int number, List<String> words) {}

    private RawConfigLines() {}

    static List<Line> read(String text) {
        List<Line> lines = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        int start = 0;
        String[] physical = text.split("\n", -1);
        for (int n = 0; n < physical.length; n++) {
            String line = physical[n];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            if (pending.isEmpty() && line.isBlank()) {
                continue;
            }
            if (pending.isEmpty()) {
                start = n + 1;
            }
            String trimmed = line.stripTrailing();
            if (hash < 0 && trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            List<String> words = words(pending.toString());
            if (!words.isEmpty()) {
                lines.add(new Line(start, words));
            }
            pending.setLength(0);
        }
        return lines;
    }

    /** Whitespace-separated words; {@code [ ... ]} is one word, spaces inside included. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i >= line.length()) {
                break;
            }
            int end;
            if (line.charAt(i) == '[') {
                int close = line.indexOf(']', i);
                end = close < 0 ? line.length() : close + 1;
            } else {
                end = i;
                while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
                    end++;
                }
            }
            words.add(line.substring(i, end));
            i = end;
        }
        return words;
    }

    /** The file a line includes ({@code include}, {@code substack}, {@code @include}), or {@code null}. */
    static String includedName(Line line) {
        List<String> w = line.words();
        if (w.get(0).equalsIgnoreCase("@include")) {
            return w.size() > 1 ? w.get(1) : null;
        }
        if (w.size() > 2 && (w.get(1).equalsIgnoreCase("include") || w.get(1).equalsIgnoreCase("substack"))) {
            return w.get(2);
        }
        return null;
    }
}
