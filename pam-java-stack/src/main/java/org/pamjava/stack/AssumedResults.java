package org.pamjava.stack;

import java.util.OptionalInt;
import org.pamjava.PamOperation;

/**
 * Results given for rules instead of calling their modules: what {@code pam-java simulate
 * --assume FILE:LINE=...} says a rule returns, and how {@code pam-java run --trace} replays the
 * codes the real modules returned through the engine. See {@link PamStack#withAssumedResults}.
 */
@FunctionalInterface
public interface AssumedResults {

    /**
     * The code a module rule returns this time, asked once for each call of the rule, in the
     * order the engine runs them; empty to call the rule's module as usual.
     *
     * @param rule the rule about to run (of kind MODULE or SILENT_MODULE)
     * @param operation the operation being run
     * @param flags the flags the module would be given
     */
    OptionalInt result(PamRule rule, PamOperation operation, int flags);

    /**
     * Whether {@link #result} gives a code for every call of {@code rule}: then, if every rule
     * naming its module is so, the engine does not resolve (load, construct) that module at all.
     */
    default boolean givesEveryCall(PamRule rule) {
        return false;
    }
}
