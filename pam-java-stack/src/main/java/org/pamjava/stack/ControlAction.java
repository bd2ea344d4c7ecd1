package org.pamjava.stack;

/**
 * What a rule's control tells libpam to do with one module return value: the actions of the
 * {@code [value=action ...]} syntax in pam.conf(5).
 *
 * <p>The set is closed; switch over it exhaustively:
 * <pre>{@code
 * switch (action) {
 *     case ControlAction.Ignore i -> ...
 *     case ControlAction.Ok o -> ...
 *     case ControlAction.Done d -> ...
 *     case ControlAction.Bad b -> ...
 *     case ControlAction.Die d -> ...
 *     case ControlAction.Reset r -> ...
 *     case ControlAction.Jump(int count) -> ...
 * }
 * }</pre>
 */
public sealed interface ControlAction {

    /** {@code ignore}: the return value does not affect the stack's result. */
    Ignore IGNORE = new Ignore();
    /** {@code ok}: the return value becomes the result unless an earlier rule failed. */
    Ok OK = new Ok();
    /** {@code done}: like {@code ok}, then end the (sub)stack if the result is positive. */
    Done DONE = new Done();
    /** {@code bad}: the stack fails; the first failure's value is the result. */
    Bad BAD = new Bad();
    /** {@code die}: like {@code bad}, then end the (sub)stack. */
    Die DIE = new Die();
    /** {@code reset}: forget the state built so far in this (sub)stack. */
    Reset RESET = new Reset();

    /** The keyword or number as written in a control, for example {@code "done"} or {@code "2"}. */
    String keyword();

    /** {@code ignore}. */
    record Ignore() implements ControlAction {
        @Override
        public String keyword() {
            return "ignore";
        }
    }

    /** {@code ok}. */
    record Ok() implements ControlAction {
        @Override
        public String keyword() {
            return "ok";
        }
    }

    /** {@code done}. */
    record Done() implements ControlAction {
        @Override
        public String keyword() {
            return "done";
        }
    }

    /** {@code bad}. */
    record Bad() implements ControlAction {
        @Override
        public String keyword() {
            return "bad";
        }
    }

    /** {@code die}. */
    record Die() implements ControlAction {
        @Override
        public String keyword() {
            return "die";
        }
    }

    /** {@code reset}. */
    record Reset() implements ControlAction {
        @Override
        public String keyword() {
            return "reset";
        }
    }

    /**
     * {@code N}: skip the next {@code count} rules of the same (sub)stack; a jump past its end
     * fails the stack with {@code PAM_PERM_DENIED}.
     *
     * @param count how many rules to skip, at least 1
     */
    record Jump(int count) implements ControlAction {
        public Jump {
            if (count < 1) {
                throw new IllegalArgumentException("jump count must be positive: " + count);
            }
        }

        @Override
        public String keyword() {
            return Integer.toString(count);
        }
    }
}
