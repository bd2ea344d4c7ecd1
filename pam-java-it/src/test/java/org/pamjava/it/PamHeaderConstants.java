package org.pamjava.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The integer constants of the installed Linux-PAM headers, read the way the C preprocessor would
 * see them, for the check that PamConstants has exactly these names and values.
 *
 * <p>A macro is an integer constant when its replacement is an integer literal (decimal, octal,
 * hexadecimal, with U or L suffixes, possibly negated or in parentheses) or the name of another
 * integer macro. Function-like macros, empty ones and those made of other words (attributes such as
 * {@code PAM_DEPRECATED}, {@code PAM_EXTERN extern}) are not constants. A replacement this reader
 * cannot evaluate although it uses only numbers, operators and integer macros (say {@code (1 << 4)})
 * is an error, not a skip: the comparison must stay exact when a header changes.
 */
final class PamHeaderConstants {
    /** The headers a module includes, by way of security/pam_modules.h and security/pam_appl.h. */
    static final List<String> HEADERS = List.of("_pam_types.h", "pam_modules.h", "pam_appl.h", "_pam_compat.h");

    private static final Pattern DEFINE = Pattern.compile("^\\s*#\\s*define\\s+(_?PAM_\\w+)(\\(|\\s|$)(.*)$");
    private static final Pattern LITERAL = Pattern.compile("(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_]\\w*");
    /** A token of an integer expression: a name (group 1), a number, an operator or a parenthesis. */
    private static final Pattern TOKEN = Pattern.compile("\\s*(?:([A-Za-z_]\\w*)|[0-9]\\w*|[-+*/%<>=&|^~!?:()])\\s*");

    private PamHeaderConstants() {}

    /**
     * Every integer PAM_* and _PAM_* macro of {@link #HEADERS} in /usr/include/security, name to
     * value as Java prints an int, plus the compatibility spelling PAM_AUTHTOK_RECOVER_ERR (the rest
     * of _pam_compat.h is for other systems).
     */
    static Map<String, String> installed() throws IOException {
        Map<String, List<String>> definitions = new LinkedHashMap<>();
        for (String header : HEADERS) {
            Map<String, List<String>> found = definitions(Files.readAllLines(Path.of("/usr/include/security", header)));
            if (header.equals("_pam_compat.h")) {
                found.keySet().retainAll(List.of("PAM_AUTHTOK_RECOVER_ERR"));
            }
            found.forEach((name, values) -> definitions.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
        }
        return integers(definitions);
    }

    /**
     * The object-like PAM_* macros of a header's lines, name to replacement texts (more than one
     * when #if branches define it differently), comments removed, continuation lines joined.
     */
    static Map<String, List<String>> definitions(List<String> lines) {
        String text = String.join("\n", lines).replaceAll("\\\\\\n", " ").replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("//[^\\n]*", "");
        Map<String, List<String>> definitions = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = DEFINE.matcher(line);
            if (m.find() && !m.group(2).equals("(")) {
                definitions.computeIfAbsent(m.group(1), n -> new ArrayList<>()).add(m.group(3).strip());
            }
        }
        return definitions;
    }

    /** The integer ones of {@code definitions} (see the class comment), evaluated. */
    static Map<String, String> integers(Map<String, List<String>> definitions) {
        Map<String, String> constants = new TreeMap<>();
        for (String name : definitions.keySet()) {
            Long value = value(name, definitions, new ArrayList<>());
            if (value != null) {
                constants.put(name, String.valueOf(value.intValue()));
            }
        }
        return constants;
    }

    /** The macro's integer value, or null if it is not an integer constant. */
    private static Long value(String name, Map<String, List<String>> definitions, List<String> expanding) {
        List<String> replacements = definitions.get(name);
        if (replacements == null || expanding.contains(name)) {
            return null;
        }
        expanding.add(name);
        Long value = null;
        boolean first = true;
        for (String replacement : replacements) {
            Long v = evaluate(name, replacement, definitions, expanding);
            if (!first && !java.util.Objects.equals(v, value)) {
                throw new IllegalStateException(name + " has different definitions: " + replacements);
            }
            value = v;
            first = false;
        }
        expanding.remove(name);
        return value;
    }

    private static Long evaluate(String name, String replacement, Map<String, List<String>> definitions,
            List<String> expanding) {
        String text = replacement.strip();
        if (text.startsWith("(") && closingParenthesis(text) == text.length() - 1) {
            return evaluate(name, text.substring(1, text.length() - 1), definitions, expanding);
        }
        if (text.startsWith("-")) {
            Long v = evaluate(name, text.substring(1), definitions, expanding);
            return v == null ? null : -v;
        }
        Matcher literal = LITERAL.matcher(text);
        if (literal.matches()) {
            String digits = literal.group(1);
            boolean octal = digits.length() > 1 && digits.startsWith("0") && !digits.matches("0[xX].*");
            return octal ? Long.parseLong(digits, 8) : Long.decode(digits);
        }
        if (NAME.matcher(text).matches()) {
            return value(text, definitions, expanding); // an alias, or a word that is not an integer
        }
        // Numbers, operators and names that are all integer macros: an integer expression this
        // reader does not evaluate, which must not silently drop a constant.
        Matcher token = TOKEN.matcher(text);
        int at = 0;
        boolean integerNamesOnly = true;
        while (at < text.length() && token.region(at, text.length()).lookingAt()) {
            if (token.group(1) != null) {
                integerNamesOnly &= value(token.group(1), definitions, expanding) != null;
            }
            at = token.end();
        }
        if (!text.isEmpty() && at == text.length() && integerNamesOnly) {
            throw new IllegalStateException("cannot evaluate the integer macro " + name + " " + replacement);
        }
        return null;
    }

    /** The index of the parenthesis that closes the one at 0, or -1. */
    private static int closingParenthesis(String text) {
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            depth += text.charAt(i) == '(' ? 1 : text.charAt(i) == ')' ? -1 : 0;
            if (depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
