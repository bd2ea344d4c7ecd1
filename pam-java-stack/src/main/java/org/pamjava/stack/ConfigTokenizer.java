package org.pamjava.stack;

import java.util.ArrayList;
import java.util.List;

/**
 * libpam's _pam_StrTok over one logical line: tokens separated by spaces, tabs and newlines, where
 * a token starting with {@code [} runs to the first unescaped {@code ]} (and {@code \]} stands for
 * {@code ]}). Any token may be bracketed, not only the control.
 */
final class ConfigTokenizer {

    private static final String DELIMITERS = " \n\t";

    private final String line;
    /** Where the next token search starts, or -1 when libpam's {@code next} pointer is NULL. */
    private int next;
    /** Where the last token returned starts and ends in the line, brackets included (for ConfigCopy). */
    private int lastStart = -1;
    private int lastEnd = -1;

    ConfigTokenizer(String line) {
        this.line = line;
        this.next = 0;
    }

    /** The next token, or {@code null} when none is left. */
    String next() {
        if (next < 0) {
            return null;
        }
        int from = next;
        int n = line.length();
        while (from < n && DELIMITERS.indexOf(line.charAt(from)) >= 0) {
            from++;
        }
        String token;
        int end;
        if (from < n && line.charAt(from) == '[') {
            StringBuilder sb = new StringBuilder();
            end = from + 1;
            while (end < n && line.charAt(end) != ']') {
                if (line.charAt(end) == '\\' && end + 1 < n && line.charAt(end + 1) == ']') {
                    end++;
                }
                sb.append(line.charAt(end));
                end++;
            }
            token = sb.toString();
            lastEnd = end < n ? end + 1 : n; // the closing bracket, when there is one
        } else if (from < n) {
            end = from;
            while (end < n && DELIMITERS.indexOf(line.charAt(end)) < 0) {
                end++;
            }
            token = line.substring(from, end);
            lastEnd = end;
        } else {
            next = -1;
            return null;
        }
        lastStart = from;
        if (end < n) {
            end++; // the delimiter or closing bracket is consumed
        }
        next = end < n ? end : -1;
        return token;
    }

    /** Where the token {@link #next} returned last starts in the line. */
    int lastStart() {
        return lastStart;
    }

    /** Where it ends (exclusive), its closing bracket included. */
    int lastEnd() {
        return lastEnd;
    }

    /** The remaining tokens, as _pam_mkargv splits the rest of the line into module arguments. */
    List<String> rest() {
        List<String> args = new ArrayList<>();
        for (String t = next(); t != null; t = next()) {
            args.add(t);
        }
        return args;
    }

    /** Whether libpam's {@code next} pointer is non-NULL (text remains after the last token read). */
    boolean hasRest() {
        return next >= 0;
    }
}
