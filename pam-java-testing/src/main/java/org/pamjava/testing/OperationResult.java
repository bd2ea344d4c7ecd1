package org.pamjava.testing;

import java.util.List;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamOperation;
import org.pamjava.stack.PamCodes;
import org.pamjava.stack.RuleTrace;

/**
 * What one PAM operation of a {@link TestTransaction} gave: its return code, the trace of every rule
 * it ran, and the messages the modules sent meanwhile.
 *
 * @param operation the operation
 * @param pamCode the PAM code the application got, exactly as libpam would return it
 * @param trace for each rule run, the module's return value, the action taken and the stack state after it
 * @param messages the conversation messages sent during the operation
 */
public record OperationResult(PamOperation operation, int pamCode, List<RuleTrace> trace, List<Message> messages) {

    public OperationResult {
        trace = List.copyOf(trace);
        messages = List.copyOf(messages);
    }

    /** Whether the code is {@code PAM_SUCCESS}. */
    public boolean isSuccess() {
        return pamCode == PamConstants.PAM_SUCCESS;
    }

    /** The code's C name, e.g. {@code PAM_AUTH_ERR}. */
    public String pamCodeName() {
        return PamCodes.name(pamCode);
    }

    /** The first failure a module threw during the operation, or {@code null}. */
    public Throwable failure() {
        return trace.stream().map(RuleTrace::failure).filter(t -> t != null).findFirst().orElse(null);
    }

    /** A multi-line account of the operation, for assertion messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder(operation + " -> " + pamCodeName() + " (" + PamCodes.strerror(pamCode) + ")");
        for (RuleTrace t : trace) {
            sb.append("\n  ").append(t);
        }
        for (Message m : messages) {
            sb.append("\n  message ").append(m.msgStyle()).append(": ").append(m.msg());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
