package org.pamjava.stack;

import java.util.List;
import java.util.function.Consumer;
import org.pamjava.PamConstants;
import org.pamjava.PamOperation;
import org.pamjava.stack.RuleTrace.Impression;

/**
 * Walks one stack the way libpam's _pam_dispatch_aux does: calls each rule's module, lets the
 * rule's control turn the return value into an action, and keeps the stack's impression and status,
 * with substack levels, jumps, {@code reset}, the frozen chain of {@code pam_setcred} and
 * {@code pam_close_session}, and {@code PAM_INCOMPLETE} resumption.
 */
final class StackRunner {

    /** A cached (frozen-chain) value not yet set: libpam's _PAM_INVALID_RETVAL. */
    static final int NOT_FROZEN = -1;
    /** What a malformed rule, an empty stack or a bad jump yields: libpam's PAM_MUST_FAIL_CODE. */
    static final int MUST_FAIL_CODE = PamConstants.PAM_PERM_DENIED;

    /** Calls a rule's module. */
    @FunctionalInterface
    interface ModuleCaller {
        Outcome call(PamRule rule, PamOperation operation, int flags);
    }

    /** A module's return value and what it threw, if anything. */
    record Outcome(int result, Throwable failure) {}

    /** Where a stack stopped when a module returned PAM_INCOMPLETE (libpam's pamh->former). */
    static final class Resume {
        int depth;
        Impression impression;
        int status;
        Impression[] subImpressions;
        int[] subStatus;
    }

    private final ModuleCaller modules;
    private final Consumer<RuleTrace> trace;

    StackRunner(ModuleCaller modules, Consumer<RuleTrace> trace) {
        this.modules = modules;
        this.trace = trace;
    }

    /**
     * Runs {@code rules}. {@code frozen} holds, per rule, the value that decided its action the last
     * time the chain was frozen; it is written when {@code replay} is false and read when true.
     * {@code resume} is the saved state to continue from, or null; {@code save} receives the state
     * when a module returns {@code PAM_INCOMPLETE}.
     */
    int run(PamOperation op, int flags, List<PamRule> rules, int[] frozen, boolean replay,
            Resume resume, Consumer<Resume> save) {
        if (rules.isEmpty()) {
            return MUST_FAIL_CODE; // "no modules loaded for `service' service"
        }
        int skip;
        Impression impression;
        int status;
        Impression[] subImpressions;
        int[] subStatus;
        if (resume != null) {
            skip = resume.depth;
            impression = resume.impression;
            status = resume.status;
            subImpressions = resume.subImpressions;
            subStatus = resume.subStatus;
        } else {
            skip = 0;
            subImpressions = new Impression[PamConfigParser.SUBSTACK_MAX_LEVEL];
            subStatus = new int[PamConfigParser.SUBSTACK_MAX_LEVEL];
            subImpressions[0] = impression = Impression.UNDECIDED;
            subStatus[0] = status = MUST_FAIL_CODE;
        }
        int prevLevel = 0;
        int level;
        for (int i = 0; i < rules.size(); prevLevel = level, i++) {
            PamRule rule = rules.get(i);
            level = rule.stackLevel();
            if (i < skip) {
                continue;
            }
            if (prevLevel < level) {
                subImpressions[level] = impression;
                subStatus[level] = status;
            }
            Outcome outcome = switch (rule.kind()) {
                case MUST_FAIL -> new Outcome(MUST_FAIL_CODE, null);
                case SUBSTACK -> null;
                case MODULE, SILENT_MODULE -> modules.call(rule, op, flags);
            };
            if (outcome == null) {
                continue;
            }
            int retval = outcome.result();
            if (retval == PamConstants.PAM_INCOMPLETE) {
                Resume r = new Resume();
                r.depth = i;
                r.impression = impression;
                r.status = status;
                r.subImpressions = subImpressions;
                r.subStatus = subStatus;
                save.accept(r);
                trace.accept(new RuleTrace(op, flags, rule, retval, retval, ControlAction.IGNORE,
                        impression, status, outcome.failure()));
                return retval;
            }
            int chainValue;
            if (replay) {
                chainValue = frozen[i] == NOT_FROZEN ? retval : frozen[i];
            } else {
                chainValue = frozen[i] = retval;
            }
            ControlAction action;
            if (chainValue < 0 || chainValue >= Control.RETURN_VALUES) {
                retval = MUST_FAIL_CODE;
                action = ControlAction.BAD;
            } else {
                action = rule.control().action(chainValue);
            }
            boolean decided = false;
            switch (action) {
                case ControlAction.Reset r -> {
                    impression = subImpressions[level];
                    status = subStatus[level];
                }
                case ControlAction.Ok o -> {
                    if (mayTakeValue(impression, status) && (retval != PamConstants.PAM_IGNORE || chainValue == retval)) {
                        impression = Impression.POSITIVE;
                        status = retval;
                    }
                }
                case ControlAction.Done d -> {
                    if (mayTakeValue(impression, status) && (retval != PamConstants.PAM_IGNORE || chainValue == retval)) {
                        impression = Impression.POSITIVE;
                        status = retval;
                    }
                    decided = impression == Impression.POSITIVE;
                }
                case ControlAction.Bad b -> {
                    if (impression != Impression.NEGATIVE) {
                        impression = Impression.NEGATIVE;
                        status = retval == PamConstants.PAM_IGNORE ? MUST_FAIL_CODE : retval;
                    }
                }
                case ControlAction.Die d -> {
                    if (impression != Impression.NEGATIVE) {
                        impression = Impression.NEGATIVE;
                        status = retval == PamConstants.PAM_IGNORE ? MUST_FAIL_CODE : retval;
                    }
                    decided = true;
                }
                case ControlAction.Ignore ig -> {
                    // the value does not count
                }
                case ControlAction.Jump(int count) -> {
                    // Upstream libpam treats a jumping rule of a replayed (frozen) chain as required
                    // as well; Debian's 045_pam_dispatch_jump_is_ignore patch makes the jump only a
                    // jump, and Debian's libpam is the reference here.
                    int left = count;
                    while (i + 1 < rules.size() && rules.get(i + 1).stackLevel() >= level && left > 0) {
                        do {
                            i++;
                        } while (i + 1 < rules.size() && rules.get(i + 1).stackLevel() > level);
                        left--;
                    }
                    if (left > 0) { // "bad jump in stack"
                        impression = Impression.NEGATIVE;
                        status = MUST_FAIL_CODE;
                    }
                }
            }
            trace.accept(new RuleTrace(op, flags, rule, outcome.result(), chainValue, action,
                    impression, status, outcome.failure()));
            if (decided) {
                while (i + 1 < rules.size() && rules.get(i + 1).stackLevel() >= level) {
                    i++;
                }
            }
        }
        if (status == PamConstants.PAM_SUCCESS && impression != Impression.POSITIVE) {
            status = MUST_FAIL_CODE; // libpam's sanity check: nothing positive ever happened
        }
        return status;
    }

    private static boolean mayTakeValue(Impression impression, int status) {
        return impression == Impression.UNDECIDED
                || (impression == Impression.POSITIVE && status == PamConstants.PAM_SUCCESS);
    }
}
