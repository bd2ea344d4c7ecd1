package org.pamjava.client;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.pamjava.Conversation;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;

/**
 * The one C conversation function every transaction hands libpam, and the Java conversations it
 * dispatches to. A transaction's {@code appdata_ptr} is not a pointer but the number under which
 * its {@link Conversation} is registered here, so a single upcall stub, made once, serves every
 * transaction and thread, and a late call for an ended transaction finds nothing instead of freed
 * memory.
 */
final class ConversationUpcall {
    private static final Map<Long, Conversation> CONVERSATIONS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_ID = new AtomicLong();

    /**
     * {@code int conv(int num_msg, const struct pam_message **msg, struct pam_response **resp,
     * void *appdata_ptr)}: pam_conv(3).
     */
    static final MemorySegment FUNCTION;

    static {
        try {
            FUNCTION = Linker.nativeLinker().upcallStub(
                    MethodHandles.lookup().findStatic(ConversationUpcall.class, "converse",
                            MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class,
                                    MemorySegment.class)),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ConversationUpcall() {}

    /** Registers {@code conversation}; the result is the {@code appdata_ptr} value to give libpam. */
    static long register(Conversation conversation) {
        long id = NEXT_ID.incrementAndGet();
        CONVERSATIONS.put(id, conversation);
        return id;
    }

    static void unregister(long id) {
        CONVERSATIONS.remove(id);
    }

    /**
     * The upcall. An exception escaping an upcall ends the JVM, so everything is caught here and
     * becomes {@code PAM_CONV_ERR}.
     */
    private static int converse(int count, MemorySegment messages, MemorySegment responses, MemorySegment appdata) {
        try {
            Conversation conversation = CONVERSATIONS.get(appdata.address());
            if (conversation == null || count <= 0 || count > PamConstants.PAM_MAX_NUM_MSG
                    || messages.equals(MemorySegment.NULL) || responses.equals(MemorySegment.NULL)) {
                return PamConstants.PAM_CONV_ERR;
            }
            return converse(conversation, count, messages.reinterpret(ADDRESS.byteSize() * count),
                    responses.reinterpret(ADDRESS.byteSize()));
        } catch (Throwable t) {
            return PamConstants.PAM_CONV_ERR;
        }
    }

    private static int converse(Conversation conversation, int count, MemorySegment messages, MemorySegment responses) {
        MemorySegment replies;
        try {
            replies = LibC.calloc(count, LibPam.PAM_RESPONSE_SIZE);
        } catch (OutOfMemoryError e) {
            return PamConstants.PAM_BUF_ERR;
        }
        boolean handedOver = false;
        try {
            for (int i = 0; i < count; i++) {
                MemorySegment message = messages.getAtIndex(ADDRESS, i).reinterpret(LibPam.PAM_MESSAGE_MSG_OFFSET + ADDRESS.byteSize());
                int style = message.get(JAVA_INT, 0);
                MemorySegment text = message.get(ADDRESS, LibPam.PAM_MESSAGE_MSG_OFFSET);
                if (style < PamConstants.PAM_PROMPT_ECHO_OFF || style > PamConstants.PAM_TEXT_INFO) {
                    return PamConstants.PAM_CONV_ERR; // binary and radio prompts are not text we can show
                }
                char[] answer = conversation.reply(new Message(style, text.equals(MemorySegment.NULL) ? "" : LibPam.string(text)));
                if (answer != null) {
                    try {
                        replies.set(ADDRESS, i * LibPam.PAM_RESPONSE_SIZE, cString(answer));
                    } finally {
                        Arrays.fill(answer, '\0');
                    }
                }
            }
            responses.set(ADDRESS, 0, replies);
            handedOver = true;
            return PamConstants.PAM_SUCCESS;
        } catch (PamException e) {
            int code = e.pamCode();
            return code == PamConstants.PAM_BUF_ERR || code == PamConstants.PAM_CONV_AGAIN ? code : PamConstants.PAM_CONV_ERR;
        } catch (OutOfMemoryError e) {
            return PamConstants.PAM_BUF_ERR;
        } finally {
            if (!handedOver) {
                wipeAndFree(replies, count);
            }
        }
    }

    /** The answer as a NUL-terminated UTF-8 string in malloc(3) memory; no intermediate copy survives. */
    private static MemorySegment cString(char[] answer) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        // Room for the worst case, so the encoder never grows (and leaves behind) a buffer.
        ByteBuffer bytes = ByteBuffer.allocate((int) Math.ceil(encoder.maxBytesPerChar()) * answer.length);
        try {
            CoderResult result = encoder.encode(CharBuffer.wrap(answer), bytes, true);
            if (result.isError() || encoder.flush(bytes).isError()) {
                throw new PamException(PamConstants.PAM_CONV_ERR, "the answer is not valid Unicode text");
            }
            int length = bytes.position();
            for (int i = 0; i < length; i++) {
                if (bytes.get(i) == 0) {
                    throw new PamException(PamConstants.PAM_CONV_ERR, "the answer contains a NUL character");
                }
            }
            MemorySegment c = LibC.calloc(length + 1L, 1);
            MemorySegment.copy(bytes.array(), 0, c, JAVA_BYTE, 0, length);
            return c;
        } finally {
            Arrays.fill(bytes.array(), (byte) 0);
        }
    }

    /** Frees a reply array that libpam never received, wiping the answers already in it. */
    private static void wipeAndFree(MemorySegment replies, int count) {
        for (int i = 0; i < count; i++) {
            MemorySegment text = replies.get(ADDRESS, i * LibPam.PAM_RESPONSE_SIZE);
            if (!text.equals(MemorySegment.NULL)) {
                MemorySegment bytes = text.reinterpret(Integer.MAX_VALUE);
                long length = 0;
                while (bytes.get(JAVA_BYTE, length) != 0) {
                    length++;
                }
                bytes.asSlice(0, length).fill((byte) 0);
                LibC.free(text);
            }
        }
        LibC.free(replies);
    }
}
