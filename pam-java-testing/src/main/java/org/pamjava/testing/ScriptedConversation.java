package org.pamjava.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import org.pamjava.Conversation;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.Response;

/**
 * An application's conversation function played from a script: the test queues the user's answers,
 * and every message the modules send is recorded.
 *
 * <p>Each prompt ({@code PAM_PROMPT_ECHO_OFF}, {@code PAM_PROMPT_ECHO_ON}) takes the next queued
 * answer; {@code PAM_ERROR_MSG} and {@code PAM_TEXT_INFO} messages are shown (recorded) and get a
 * {@code null} reply, as real applications give. A prompt with no answer left fails the conversation
 * call with {@code PAM_CONV_ERR}, as a user who closed the terminal would.
 */
public final class ScriptedConversation implements Conversation {

    private sealed interface Step permits Answer, Failure {}

    private record Answer(String text) implements Step {}

    private record Failure(int code) implements Step {}

    private final Deque<Step> script = new ArrayDeque<>();
    private final List<Message> messages = new ArrayList<>();
    private int unanswered;

    /** Queues the reply to the next prompt. */
    public ScriptedConversation answer(String text) {
        script.add(new Answer(Objects.requireNonNull(text, "text")));
        return this;
    }

    /**
     * Queues no reply (C {@code NULL}) to the next prompt: an application whose user gave none,
     * which libpam's pam_get_authtok(3) treats as a failed answer.
     */
    public ScriptedConversation noAnswer() {
        script.add(new Answer(null));
        return this;
    }

    /** Queues replies to the next prompts, in order. */
    public ScriptedConversation answers(String... texts) {
        for (String t : texts) {
            answer(t);
        }
        return this;
    }

    /**
     * Makes the next conversation call that contains a prompt fail with {@code code}
     * ({@code PAM_CONV_ERR}, {@code PAM_BUF_ERR} or {@code PAM_CONV_AGAIN}).
     */
    public ScriptedConversation fail(int code) {
        script.add(new Failure(code));
        return this;
    }

    @Override
    public char[] reply(Message m) {
        messages.add(m);
        if (m.msgStyle() != PamConstants.PAM_PROMPT_ECHO_OFF && m.msgStyle() != PamConstants.PAM_PROMPT_ECHO_ON) {
            return null;
        }
        Step step = script.poll();
        return switch (step) {
            case null -> {
                unanswered++;
                throw new PamException(PamConstants.PAM_CONV_ERR, "no scripted answer for prompt \"" + m.msg() + "\"");
            }
            case Failure(int code) -> throw new PamException(code, "scripted conversation failure");
            case Answer(String text) -> text == null ? null : text.toCharArray();
        };
    }

    /** Every message the modules sent, in order. */
    public List<Message> messages() {
        return List.copyOf(messages);
    }

    /** The prompts among {@link #messages()}. */
    public List<Message> prompts() {
        return messages.stream().filter(m -> m.msgStyle() == PamConstants.PAM_PROMPT_ECHO_OFF
                || m.msgStyle() == PamConstants.PAM_PROMPT_ECHO_ON).toList();
    }

    /** The texts of the {@code PAM_TEXT_INFO} messages. */
    public List<String> infos() {
        return messages.stream().filter(m -> m.msgStyle() == PamConstants.PAM_TEXT_INFO).map(Message::msg).toList();
    }

    /** The texts of the {@code PAM_ERROR_MSG} messages. */
    public List<String> errors() {
        return messages.stream().filter(m -> m.msgStyle() == PamConstants.PAM_ERROR_MSG).map(Message::msg).toList();
    }

    /** How many queued answers and failures have not been used. */
    public int remaining() {
        return script.size();
    }

    /** How many prompts found no scripted answer. */
    public int unanswered() {
        return unanswered;
    }

    /** Forgets the recorded messages (the script stays). */
    public void clearMessages() {
        messages.clear();
    }
}
