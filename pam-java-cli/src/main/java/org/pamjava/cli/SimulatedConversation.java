package org.pamjava.cli;

import java.io.Console;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.IntSupplier;
import org.pamjava.Conversation;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.Response;

/**
 * The user of a simulation: prompts take the {@code --answer}s in order, then, at a terminal, what
 * the user types; with neither, a prompt fails with {@code PAM_CONV_ERR}. Every message is recorded
 * with the number of trace entries at the time, so it can be shown under the rule that sent it.
 */
final class SimulatedConversation implements Conversation {

    /** A message and how many rules had been traced when it was sent. */
    record Shown(int traceIndex, Message message) {}

    private final Deque<String> answers;
    private final List<Shown> shown = new ArrayList<>();
    private final Console console = System.console();
    private IntSupplier traceSize = () -> 0;

    SimulatedConversation(List<String> answers) {
        this.answers = new ArrayDeque<>(answers);
    }

    /** Where to read the trace's current length (the transaction is made after the conversation). */
    void traceSize(IntSupplier traceSize) {
        this.traceSize = traceSize;
    }

    List<Shown> shown() {
        return shown;
    }

    @Override
    public char[] reply(Message m) {
        shown.add(new Shown(traceSize.getAsInt(), m));
        boolean prompt = m.msgStyle() == PamConstants.PAM_PROMPT_ECHO_OFF || m.msgStyle() == PamConstants.PAM_PROMPT_ECHO_ON;
        return prompt ? answer(m) : null;
    }

    private char[] answer(Message prompt) {
        if (!answers.isEmpty()) {
            return answers.poll().toCharArray();
        }
        if (console != null && console.isTerminal()) {
            char[] typed = prompt.msgStyle() == PamConstants.PAM_PROMPT_ECHO_OFF
                    ? console.readPassword("%s", prompt.msg())
                    : console.readLine("%s", prompt.msg()) instanceof String line ? line.toCharArray() : null;
            if (typed != null) {
                return typed;
            }
        }
        throw new PamException(PamConstants.PAM_CONV_ERR, "no answer for the prompt \"" + prompt.msg() + "\"");
    }
}
