package org.pamjava.client;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pamjava.Conversation;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;

/**
 * The C conversation function exactly as a module calls it: messages built in C memory, the
 * function pointer called, the reply array read and released with free(3) as libpam does.
 */
class ConversationFunctionTest implements PamConstants {
    static final MethodHandle CONV = Linker.nativeLinker().downcallHandle(ConversationUpcall.FUNCTION,
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

    /** The code and the replies (null for none) of one call with {@code messages}. */
    record Outcome(int code, List<String> replies) {}

    static Outcome call(Conversation conversation, Message... messages) throws Throwable {
        long id = ConversationUpcall.register(conversation);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(ADDRESS, messages.length);
            for (int i = 0; i < messages.length; i++) {
                MemorySegment m = arena.allocate(16, 8);
                m.set(JAVA_INT, 0, messages[i].msgStyle());
                m.set(ADDRESS, 8, arena.allocateFrom(messages[i].msg()));
                array.setAtIndex(ADDRESS, i, m);
            }
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) CONV.invokeExact(messages.length, array, out, MemorySegment.ofAddress(id));
            List<String> replies = new ArrayList<>();
            MemorySegment responses = out.get(ADDRESS, 0);
            if (rc == PAM_SUCCESS) {
                responses = responses.reinterpret(16L * messages.length);
                for (int i = 0; i < messages.length; i++) {
                    MemorySegment text = responses.get(ADDRESS, 16L * i);
                    replies.add(text.equals(MemorySegment.NULL) ? null : LibPam.string(text));
                    assertEquals(0, responses.get(JAVA_INT, 16L * i + 8), "resp_retcode");
                    LibC.free(text);
                }
                LibC.free(responses);
            } else {
                assertEquals(MemorySegment.NULL, responses, "no replies are handed over on failure");
            }
            return new Outcome(rc, replies);
        } finally {
            ConversationUpcall.unregister(id);
        }
    }

    @Test
    void repliesComeInOrderAsCStrings() throws Throwable {
        Outcome o = call(m -> m.msgStyle() == PAM_PROMPT_ECHO_ON ? "alice".toCharArray()
                        : m.msgStyle() == PAM_PROMPT_ECHO_OFF ? "pässwörd".toCharArray() : null,
                new Message(PAM_TEXT_INFO, "welcome"), new Message(PAM_PROMPT_ECHO_ON, "login: "),
                new Message(PAM_PROMPT_ECHO_OFF, "Password: "), new Message(PAM_ERROR_MSG, "careful"));
        assertEquals(new Outcome(PAM_SUCCESS, java.util.Arrays.asList(null, "alice", "pässwörd", null)), o);
    }

    @Test
    void anyThrowableBecomesConvErrAndRunningOutOfMemoryBufErr() throws Throwable {
        Message prompt = new Message(PAM_PROMPT_ECHO_OFF, "Password: ");
        assertEquals(PAM_CONV_ERR, call(m -> {
            throw new IllegalStateException("boom");
        }, prompt).code());
        assertEquals(PAM_CONV_ERR, call(m -> {
            throw new StackOverflowError("an Error is caught as well");
        }, prompt).code());
        assertEquals(PAM_BUF_ERR, call(m -> {
            throw new OutOfMemoryError("no heap");
        }, prompt).code());
    }

    @Test
    void aFailureAfterEarlierRepliesFreesThemAndReportsTheCode() throws Throwable {
        int[] calls = {0};
        Conversation secondFails = m -> {
            if (calls[0]++ == 1) {
                throw new PamException(PAM_CONV_AGAIN, "later");
            }
            return "first".toCharArray();
        };
        assertEquals(PAM_CONV_AGAIN, call(secondFails, new Message(PAM_PROMPT_ECHO_OFF, "a"),
                new Message(PAM_PROMPT_ECHO_OFF, "b")).code());
        assertEquals(PAM_BUF_ERR, call(m -> {
            throw new PamException(PAM_BUF_ERR, "no memory");
        }, new Message(PAM_PROMPT_ECHO_OFF, "a")).code());
        assertEquals(PAM_CONV_ERR, call(m -> {
            throw new PamException(PAM_AUTH_ERR, "not a conversation code");
        }, new Message(PAM_PROMPT_ECHO_OFF, "a")).code());
    }

    @Test
    void answersThatAreNotCStringsAndUnknownStylesFail() throws Throwable {
        assertEquals(PAM_CONV_ERR, call(m -> "nul\0inside".toCharArray(), new Message(PAM_PROMPT_ECHO_OFF, "a")).code());
        assertEquals(PAM_CONV_ERR, call(m -> new char[] {'a', '\uD800'}, new Message(PAM_PROMPT_ECHO_OFF, "a")).code());
        assertEquals(PAM_CONV_ERR, call(m -> null, new Message(PAM_BINARY_PROMPT, "binary")).code());
    }

    @Test
    void aCallForAnEndedTransactionFindsNoConversation() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            MemorySegment m = arena.allocate(16, 8);
            m.set(JAVA_INT, 0, PAM_TEXT_INFO);
            m.set(ADDRESS, 8, arena.allocateFrom("late"));
            MemorySegment array = arena.allocate(ADDRESS);
            array.set(ADDRESS, 0, m);
            assertEquals(PAM_CONV_ERR, (int) CONV.invokeExact(1, array, out, MemorySegment.ofAddress(Long.MAX_VALUE)));
            assertEquals(PAM_CONV_ERR, (int) CONV.invokeExact(0, array, out, MemorySegment.ofAddress(Long.MAX_VALUE)));
        }
    }
}
