package org.pamjava.cli;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pamjava.stack.Control;

/**
 * Says precisely what is wrong with a rule's control as written, where libpam only logs a parse
 * error and turns the rule into one whose every return value is {@code bad}.
 */
final class ControlSyntax {
    private static final Set<String> KEYWORDS = Set.of("required", "requisite", "sufficient", "optional",
            "include", "substack");
    private static final Set<String> ACTIONS = Set.of("ignore", "ok", "done", "bad", "die", "reset");
    private static final String CONSEQUENCE = ": libpam treats every return value as 'bad', so this rule always fails the stack";

    private ControlSyntax() {}

    /** What is wrong with {@code control} (the second word of a rule), or {@code null} if nothing is. */
    static String problem(String control) {
        if (!control.startsWith("[")) {
            return KEYWORDS.contains(control.toLowerCase(Locale.ROOT)) ? null
                    : "unknown control '" + control + "' (expected required, requisite, sufficient, optional, include, "
                    + "substack or [value=action ...])" + CONSEQUENCE;
        }
        if (!control.endsWith("]")) {
            return "control " + control + " has no closing ']'" + CONSEQUENCE;
        }
        String inside = control.substring(1, control.length() - 1).strip().replaceAll("\\s*=\\s*", "=");
        if (inside.isEmpty()) {
            return "empty control []: every return value is 'bad', so this rule always fails the stack";
        }
        Set<String> seen = new HashSet<>();
        for (String pair : List.of(inside.split("\\s+"))) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (Control.returnValue(name) < 0 && !name.equals("default")) {
                return "unknown return value '" + name + "' in " + control + suggestion(name) + CONSEQUENCE;
            }
            if (eq < 0 || eq == pair.length() - 1) {
                return "'" + name + "' has no action in " + control + CONSEQUENCE;
            }
            String action = pair.substring(eq + 1);
            if (!ACTIONS.contains(action) && !action.matches("[1-9][0-9]*")) {
                return "unknown action '" + action + "' for " + name + " in " + control
                        + " (expected ignore, ok, done, bad, die, reset or a jump count of at least 1)" + CONSEQUENCE;
            }
            if (!seen.add(name)) {
                return name + " is given twice in " + control + "; libpam uses the last one";
            }
        }
        return null;
    }

    /** A return value name that {@code name} is probably a typo of. */
    private static String suggestion(String name) {
        String lower = name.toLowerCase(Locale.ROOT).replaceFirst("^pam_", "");
        for (int i = 0; i < Control.RETURN_VALUES; i++) {
            String candidate = Control.returnName(i);
            if (candidate.equals(lower) || distance(candidate, lower) <= 2) {
                return " (did you mean '" + candidate + "'?)";
            }
        }
        return "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
