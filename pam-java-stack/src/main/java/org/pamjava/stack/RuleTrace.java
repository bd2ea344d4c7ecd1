package org.pamjava.stack;

import org.pamjava.PamOperation;

/**
 * What happened at one rule while a stack ran: the module's return value, the action the control
 * chose, and the stack's state afterwards.
 *
 * @param operation the operation being run
 * @param flags the flags the modules were given (for {@code pam_chauthtok}, the pass's
 *     {@code PAM_PRELIM_CHECK} or {@code PAM_UPDATE_AUTHTOK} included)
 * @param rule the rule
 * @param result what the module returned (after pam_java's mapping of exceptions and bad values
 *     to {@code PAM_SERVICE_ERR}); {@code PAM_PERM_DENIED} for a malformed rule,
 *     {@code PAM_MODULE_UNKNOWN} for a module that could not be loaded
 * @param chainResult the value whose action was taken: {@code result}, except when
 *     {@code pam_setcred} or {@code pam_close_session} replays the chain frozen by
 *     {@code pam_authenticate} or {@code pam_open_session}, where it is the value this rule returned then
 * @param action the action taken
 * @param impression the stack's impression after the rule
 * @param status the stack's provisional result after the rule
 * @param failure what the module threw, or {@code null}
 */
public record RuleTrace(PamOperation operation, int flags, PamRule rule, int result, int chainResult,
                        ControlAction action, Impression impression, int status, Throwable failure) {

    /** libpam's "impression" of a stack so far. */
    public enum Impression {
        /** No rule has decided yet. */
        UNDECIDED,
        /** The stack is heading for success (or for the value an {@code ok} rule gave). */
        POSITIVE,
        /** The stack has failed; {@code status} holds the failure. */
        NEGATIVE
    }

    /** One line: operation, rule, result, action and state, e.g. for assertion messages. */
    @Override
    public String toString() {
        String res = PamCodes.name(result) + (chainResult != result ? " (frozen " + PamCodes.name(chainResult) + ")" : "");
        return String.format("%-13s %s -> %s => %s, %s %s%s", operation, rule, res, action.keyword(),
                impression, PamCodes.name(status), failure == null ? "" : " [threw " + failure + "]");
    }
}
