package org.pamjava.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.pamjava.Conversation;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;

/**
 * The user at the terminal, as misc_conv(3) serves login programs: prompts are shown and answered
 * (without echo for {@code PAM_PROMPT_ECHO_OFF}), information goes to stdout, errors to stderr.
 * When stdin is not a terminal, each prompt is printed on a line of its own and answered by the
 * next line of stdin; end of input fails the prompt with {@code PAM_CONV_ERR}.
 */
final class TerminalConversation implements Conversation {
    private final Console console = System.console();
    private final boolean terminal = console != null && console.isTerminal();
    private final BufferedReader stdin = terminal ? null
            : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    private final PrintStream out;

    TerminalConversation(PrintStream out) {
        this.out = out;
    }

    @Override
    public char[] reply(Message message) {
        switch (message.msgStyle()) {
            case PamConstants.PAM_TEXT_INFO -> {
                out.println(message.msg());
                return null;
            }
            case PamConstants.PAM_ERROR_MSG -> {
                out.flush();
                System.err.println(message.msg());
                return null;
            }
            default -> {
                return prompt(message);
            }
        }
    }

    private char[] prompt(Message message) {
        boolean secret = message.msgStyle() == PamConstants.PAM_PROMPT_ECHO_OFF;
        char[] answer;
        if (terminal) {
            out.flush();
            answer = secret ? console.readPassword("%s", message.msg()) : lineAsChars(console.readLine("%s", message.msg()));
        } else {
            out.println(message.msg());
            out.flush();
            try {
                answer = lineAsChars(stdin.readLine());
            } catch (IOException e) {
                answer = null;
            }
        }
        if (answer == null) {
            throw new PamException(PamConstants.PAM_CONV_ERR, "no answer: end of input");
        }
        return answer;
    }

    private static char[] lineAsChars(String line) {
        return line == null ? null : line.toCharArray();
    }
}
