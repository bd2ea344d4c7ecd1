package org.pamjava.cli;

import java.util.ArrayList;
import java.util.List;
import org.pamjava.Message;
import org.pamjava.PamOperation;
import org.pamjava.stack.RuleTrace;

/**
 * What one operation of a simulation did: its code, the rules it ran, and for each rule the
 * conversation messages its module sent.
 */
record SimulatedOperation(PamOperation operation, int pamCode, List<RuleTrace> rules, List<List<Message>> messages) {

    /**
     * Cuts the operation's part out of the transaction's trace and messages.
     *
     * @param traceStart the trace length before the operation
     * @param shown every message of the transaction so far
     */
    static SimulatedOperation of(PamOperation op, int code, List<RuleTrace> trace, int traceStart,
                                 List<SimulatedConversation.Shown> shown) {
        List<RuleTrace> rules = trace.subList(traceStart, trace.size());
        List<List<Message>> messages = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            messages.add(new ArrayList<>());
        }
        for (SimulatedConversation.Shown s : shown) {
            int rule = s.traceIndex() - traceStart;
            if (rule >= 0 && !rules.isEmpty()) {
                messages.get(Math.min(rule, rules.size() - 1)).add(s.message());
            }
        }
        return new SimulatedOperation(op, code, List.copyOf(rules), messages);
    }
}
