package org.pamjava.stack;

import java.util.ArrayList;
import java.util.List;
import org.pamjava.Syslog;

/**
 * The records the module calls of one transaction logged ({@link SyslogRecord}), and which call,
 * if any, the current thread runs. LOG_DEBUG records are kept only from a call whose rule has the
 * {@code debug} argument, as Linux-PAM's modules and pam_java do; the end hook, run by pam_end
 * outside any rule, has none.
 *
 * <p>{@link #toCurrentCall} is how a log framework's records and a module's prints reach the
 * transaction (the test kit routes {@code java.util.logging}, {@code System.Logger},
 * {@code System.out} and {@code System.err} through it).
 */
public final class CallLog {
    /** The call this thread runs. */
    private static final ThreadLocal<Call> CURRENT = new ThreadLocal<>();

    private final List<SyslogRecord> records = new ArrayList<>();

    /** A module call in progress: whose log, which rule, whether its arguments say {@code debug}. */
    record Call(CallLog log, PamRule rule, boolean debug) {}

    CallLog() {}

    /** Marks this thread as running {@code rule}'s module call; returns what to give {@link #leave}. */
    Call enter(PamRule rule, boolean debug) {
        Call before = CURRENT.get();
        CURRENT.set(new Call(this, rule, debug));
        return before;
    }

    /** The call ended: this thread runs {@code before} again (null: no call). */
    static void leave(Call before) {
        if (before == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(before);
        }
    }

    /**
     * pam_syslog(3) through this transaction's handle: attributed to the current thread's call
     * when it is one of this transaction's, else to no rule (LOG_DEBUG then dropped).
     */
    void handleSyslog(int level, String message) {
        if (!Syslog.isLevel(level)) {
            throw new IllegalArgumentException("not a syslog level (0 to 7): " + level);
        }
        java.util.Objects.requireNonNull(message, "message");
        Call call = CURRENT.get();
        if (call != null && call.log() == this) {
            add(call, level, message);
        } else {
            add(new Call(this, null, false), level, message);
        }
    }

    /**
     * Logs {@code message} at {@code level} for the module call the current thread runs, if it
     * runs one: kept in that call's transaction, LOG_DEBUG only with the rule's {@code debug}.
     *
     * @return whether the thread runs a module call (false: the record belongs to no call, and is
     *     not kept)
     */
    public static boolean toCurrentCall(int level, String message) {
        Call call = CURRENT.get();
        if (call == null) {
            return false;
        }
        call.log().add(call, Syslog.isLevel(level) ? level : Syslog.LOG_ERR, String.valueOf(message));
        return true;
    }

    /** Whether the current thread runs a module call of a transaction. */
    public static boolean inCall() {
        return CURRENT.get() != null;
    }

    private void add(Call call, int level, String message) {
        if (level == Syslog.LOG_DEBUG && !call.debug()) {
            return;
        }
        synchronized (records) {
            records.add(new SyslogRecord(level, message, call.rule()));
        }
    }

    /** The records kept so far, in order. */
    List<SyslogRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** Whether {@code args}, a module's arguments as it gets them, include {@code debug}. */
    static boolean hasDebug(List<String> args, boolean firstIsModule) {
        for (int i = firstIsModule ? 1 : 0; i < args.size(); i++) {
            if ("debug".equals(args.get(i))) {
                return true;
            }
        }
        return false;
    }
}
