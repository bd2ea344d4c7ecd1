package org.pamjava.stack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A rule's control: for each of the 32 PAM return values, the {@link ControlAction} libpam takes.
 * The simple keywords are shorthands for bracket forms, exactly as pam.conf(5) says:
 * <pre>
 * required   = [success=ok new_authtok_reqd=ok ignore=ignore default=bad]
 * requisite  = [success=ok new_authtok_reqd=ok ignore=ignore default=die]
 * sufficient = [success=done new_authtok_reqd=done default=ignore]
 * optional   = [success=ok new_authtok_reqd=ok default=ignore]
 * </pre>
 *
 * @param actions 32 actions, indexed by PAM return value ({@code PAM_SUCCESS} .. {@code PAM_INCOMPLETE})
 */
public record Control(List<ControlAction> actions) {

    /** The number of PAM return values, {@code _PAM_RETURN_VALUES}. */
    public static final int RETURN_VALUES = 32;

    private static final List<String> RETURN_NAMES = List.of(
            "success", "open_err", "symbol_err", "service_err", "system_err", "buf_err",
            "perm_denied", "auth_err", "cred_insufficient", "authinfo_unavail", "user_unknown",
            "maxtries", "new_authtok_reqd", "acct_expired", "session_err", "cred_unavail",
            "cred_expired", "cred_err", "no_module_data", "conv_err", "authtok_err",
            "authtok_recover_err", "authtok_lock_busy", "authtok_disable_aging", "try_again",
            "ignore", "abort", "authtok_expired", "module_unknown", "bad_item", "conv_again",
            "incomplete");
    private static final List<ControlAction> KEYWORD_ACTIONS = List.of(
            ControlAction.IGNORE, ControlAction.OK, ControlAction.DONE, ControlAction.BAD,
            ControlAction.DIE, ControlAction.RESET);

    /** {@code required}. */
    public static final Control REQUIRED = parse("success=ok new_authtok_reqd=ok ignore=ignore default=bad");
    /** {@code requisite}. */
    public static final Control REQUISITE = parse("success=ok new_authtok_reqd=ok ignore=ignore default=die");
    /** {@code sufficient}. */
    public static final Control SUFFICIENT = parse("success=done new_authtok_reqd=done default=ignore");
    /** {@code optional}. */
    public static final Control OPTIONAL = parse("success=ok new_authtok_reqd=ok default=ignore");
    /** Every value {@code bad}: what libpam uses for a malformed rule. */
    public static final Control ALL_BAD = parse("default=bad");

    public Control {
        actions = List.copyOf(actions);
        if (actions.size() != RETURN_VALUES) {
            throw new IllegalArgumentException("a control has " + RETURN_VALUES + " actions, not " + actions.size());
        }
    }

    /** The action for PAM return value {@code pamResult} ({@code 0..31}). */
    public ControlAction action(int pamResult) {
        return actions.get(pamResult);
    }

    /**
     * The control written as {@code required}, {@code requisite}, {@code sufficient} or
     * {@code optional} (any case), or as the inside of a bracket form such as
     * {@code "success=done default=bad"}.
     *
     * @throws IllegalArgumentException if the text is malformed (libpam would turn every action
     *     into {@code bad}; {@link PamConfigParser} does that and reports a diagnostic)
     */
    public static Control of(String text) {
        Control simple = simpleKeyword(text);
        if (simple != null) {
            return simple;
        }
        return parse(text, error -> {
            throw new IllegalArgumentException(error);
        });
    }

    /** The lower-case name libpam's control syntax uses for return value {@code pamResult}, e.g. {@code "auth_err"}. */
    public static String returnName(int pamResult) {
        return RETURN_NAMES.get(pamResult);
    }

    /** The return value named {@code name} in control syntax, or -1. */
    public static int returnValue(String name) {
        return RETURN_NAMES.indexOf(name);
    }

    static Control simpleKeyword(String word) {
        return switch (word.toLowerCase(java.util.Locale.ROOT)) {
            case "required" -> REQUIRED;
            case "requisite" -> REQUISITE;
            case "sufficient" -> SUFFICIENT;
            case "optional" -> OPTIONAL;
            default -> null;
        };
    }

    private static Control parse(String text) {
        return parse(text, error -> {
            throw new IllegalStateException(error);
        });
    }

    /**
     * Parses the inside of a bracket control the way _pam_parse_control does: return-value names
     * and actions are matched as case-sensitive prefixes, whitespace is optional between pairs,
     * {@code default} fills only the values not yet given, and unnamed values default to
     * {@code bad}. On a syntax error, {@code errors} is told why and every action becomes {@code bad}.
     */
    static Control parse(String text, Consumer<String> errors) {
        ControlAction[] actions = new ControlAction[RETURN_VALUES];
        int i = 0;
        int n = text.length();
        String error = null;
        while (i < n) {
            while (i < n && isSpace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int ret = -1;
            int len = 0;
            for (int r = 0; r <= RETURN_VALUES; r++) {
                String name = r == RETURN_VALUES ? "default" : RETURN_NAMES.get(r);
                if (text.startsWith(name, i)) {
                    ret = r;
                    len = name.length();
                    break;
                }
            }
            if (ret < 0 || i + len >= n) {
                error = "expecting return value";
                break;
            }
            i += len;
            while (i < n && isSpace(text.charAt(i))) {
                i++;
            }
            if (i >= n || text.charAt(i++) != '=') {
                error = "expecting '='";
                break;
            }
            while (i < n && isSpace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                error = "expecting action";
                break;
            }
            ControlAction action = null;
            for (ControlAction candidate : KEYWORD_ACTIONS) {
                if (text.startsWith(candidate.keyword(), i)) {
                    action = candidate;
                    i += candidate.keyword().length();
                    break;
                }
            }
            if (action == null) {
                if (!isDigit(text.charAt(i))) {
                    error = "expecting jump number";
                    break;
                }
                int jump = 0;
                do {
                    jump = jump * 10 + (text.charAt(i) - '0');
                    i++;
                } while (i < n && isDigit(text.charAt(i)));
                if (jump == 0) {
                    error = "expecting non-zero";
                    break;
                }
                action = jump > 0 ? new ControlAction.Jump(jump) : ControlAction.BAD;
            }
            if (ret != RETURN_VALUES) {
                actions[ret] = action;
            } else {
                fillUnset(actions, action);
            }
        }
        if (error != null) {
            errors.accept(error + "; [..." + text.substring(Math.min(i, n)) + "]");
            Arrays.fill(actions, ControlAction.BAD);
        }
        fillUnset(actions, ControlAction.BAD);
        return new Control(Arrays.asList(actions));
    }

    private static void fillUnset(ControlAction[] actions, ControlAction action) {
        for (int k = 0; k < actions.length; k++) {
            if (actions[k] == null) {
                actions[k] = action;
            }
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The bracket form, listing every value whose action differs from the most common one as {@code default}. */
    @Override
    public String toString() {
        ControlAction common = actions.stream()
                .reduce((a, b) -> Collections.frequency(actions, a) >= Collections.frequency(actions, b) ? a : b)
                .orElseThrow();
        List<String> parts = new ArrayList<>();
        for (int r = 0; r < RETURN_VALUES; r++) {
            if (!Objects.equals(actions.get(r), common)) {
                parts.add(RETURN_NAMES.get(r) + "=" + actions.get(r).keyword());
            }
        }
        parts.add("default=" + common.keyword());
        return "[" + String.join(" ", parts) + "]";
    }
}
