package org.pamjava.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamOperation;
import org.pamjava.stack.PamConfig;
import org.pamjava.stack.RuleTrace;
import org.pamjava.stack.StackTransaction;
import org.pamjava.stack.SyslogRecord;

/**
 * A PAM transaction under test, as an application drives it: the six operations, each returning an
 * {@link OperationResult}, a {@link ScriptedConversation}, and the {@link PamHandle} the modules
 * see, through which the test sets items and environment beforehand and inspects them afterwards.
 * Close it (try-with-resources) to run pam_end and the modules' {@code end}.
 */
public final class TestTransaction implements AutoCloseable {

    private final StackTransaction pam;
    private final ScriptedConversation conversation;

    /** What pam_end gives back after the modules' end (their instances), run once. */
    private Runnable ended;

    TestTransaction(StackTransaction pam, ScriptedConversation conversation, Runnable ended) {
        this.pam = pam;
        this.conversation = conversation;
        this.ended = ended;
    }

    /** Runs {@link #ended} once the transaction has ended. */
    private void afterEnd() {
        if (pam.isEnded() && ended != null) {
            Runnable r = ended;
            ended = null;
            r.run();
        }
    }

    /** The scripted conversation: queue answers here, read the messages the modules sent. */
    public ScriptedConversation conversation() {
        return conversation;
    }

    /** The handle the modules get (items, {@link PamHandle#environment()}); the test may use it freely. */
    public PamHandle handle() {
        return pam.handle();
    }

    /** The PAM environment, as modules see it. */
    public Map<String, String> environment() {
        return pam.handle().environment();
    }

    /** The parsed configuration the transaction runs. */
    public PamConfig config() {
        return pam.config();
    }

    /** pam_authenticate(3) with no flags. */
    public OperationResult authenticate() {
        return authenticate(0);
    }

    /** pam_authenticate(3). */
    public OperationResult authenticate(int flags) {
        return run(PamOperation.AUTHENTICATE, () -> pam.authenticate(flags));
    }

    /** pam_setcred(3) with {@code PAM_ESTABLISH_CRED}. */
    public OperationResult setcred() {
        return setcred(PamConstants.PAM_ESTABLISH_CRED);
    }

    /** pam_setcred(3). */
    public OperationResult setcred(int flags) {
        return run(PamOperation.SETCRED, () -> pam.setcred(flags));
    }

    /** pam_acct_mgmt(3) with no flags. */
    public OperationResult acctMgmt() {
        return acctMgmt(0);
    }

    /** pam_acct_mgmt(3). */
    public OperationResult acctMgmt(int flags) {
        return run(PamOperation.ACCT_MGMT, () -> pam.acctMgmt(flags));
    }

    /** pam_open_session(3) with no flags. */
    public OperationResult openSession() {
        return openSession(0);
    }

    /** pam_open_session(3). */
    public OperationResult openSession(int flags) {
        return run(PamOperation.OPEN_SESSION, () -> pam.openSession(flags));
    }

    /** pam_close_session(3) with no flags. */
    public OperationResult closeSession() {
        return closeSession(0);
    }

    /** pam_close_session(3). */
    public OperationResult closeSession(int flags) {
        return run(PamOperation.CLOSE_SESSION, () -> pam.closeSession(flags));
    }

    /** pam_chauthtok(3) with no flags: the preliminary pass, then the update pass. */
    public OperationResult chauthtok() {
        return chauthtok(0);
    }

    /** pam_chauthtok(3). */
    public OperationResult chauthtok(int flags) {
        return run(PamOperation.CHAUTHTOK, () -> pam.chauthtok(flags));
    }

    /**
     * What {@code login} does up to the shell: authenticate, then (as long as each step succeeds)
     * acct_mgmt, setcred({@code PAM_ESTABLISH_CRED}) and open_session. Returns the results of the
     * operations run; the last one is the first failure, if any.
     */
    public List<OperationResult> login() {
        List<OperationResult> results = new ArrayList<>();
        for (PamOperation op : List.of(PamOperation.AUTHENTICATE, PamOperation.ACCT_MGMT,
                PamOperation.SETCRED, PamOperation.OPEN_SESSION)) {
            OperationResult r = switch (op) {
                case AUTHENTICATE -> authenticate();
                case ACCT_MGMT -> acctMgmt();
                case SETCRED -> setcred();
                default -> openSession();
            };
            results.add(r);
            if (!r.isSuccess()) {
                break;
            }
        }
        return results;
    }

    /** Every rule run so far in the transaction. */
    public List<RuleTrace> trace() {
        return pam.trace();
    }

    /**
     * Every record the modules logged so far, in order, as pam_java would write them to syslog:
     * {@link PamHandle#syslog}, {@code System.Logger} and {@code java.util.logging} records
     * (levels mapped as {@link org.pamjava.Syslog} says), and {@code System.out} ({@code LOG_INFO})
     * and {@code System.err} ({@code LOG_ERR}) lines printed on the thread of a module call; each
     * with the rule whose call logged it. {@code LOG_DEBUG} records only from rules with the
     * {@code debug} argument. Immutable.
     */
    public List<SyslogRecord> logRecords() {
        return pam.logRecords();
    }

    /** The pam_fail_delay(3) requests the modules made, in microseconds. */
    public List<Integer> failDelays() {
        return pam.failDelays();
    }

    /** pam_end(3) with {@code status}; the modules' {@code end} runs. */
    public int end(int status) {
        CapturedLogging.operationStarts(pam.config());
        try {
            return pam.end(status);
        } finally {
            CapturedLogging.operationEnds();
            afterEnd();
        }
    }

    /** pam_end(3) with {@code PAM_SUCCESS} unless already ended. */
    @Override
    public void close() {
        CapturedLogging.operationStarts(pam.config());
        try {
            pam.close();
        } finally {
            CapturedLogging.operationEnds();
            afterEnd();
        }
    }

    private OperationResult run(PamOperation op, IntSupplier call) {
        int traceBefore = pam.trace().size();
        int messagesBefore = conversation.messages().size();
        int code;
        CapturedLogging.operationStarts(pam.config());
        try {
            code = call.getAsInt();
        } finally {
            CapturedLogging.operationEnds();
        }
        List<RuleTrace> trace = pam.trace();
        List<org.pamjava.Message> messages = conversation.messages();
        return new OperationResult(op, code, trace.subList(traceBefore, trace.size()),
                messages.subList(messagesBefore, messages.size()));
    }
}
