package org.pamjava.internal.bridge;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * The resident service's wire format, spoken with pam_java.so's client (pam-java-shim/src/resident.c;
 * keep the two equal). Frames are a big-endian u32 payload length, then the payload: a u8 kind and
 * its fields. Integers are big-endian; byte strings are an i32 length (-1: null) and the bytes.
 *
 * <pre>
 * client  CALL    op:u8 flags:i32 pamh:i64 moduleDir:bytes libpamVersion:bytes argc:i32 argv:bytes*
 * client  REPLY   rc:i32, then what the request returns (see ResidentChannel)
 * service REQUEST what:u8, then the request's arguments
 * service RESULT  rc:i32
 * service HELLO   (no fields; the first frame of every connection)
 * </pre>
 * A connection carries one module instance: calls, and the requests each call makes back to
 * the application, strictly in turn; op {@link #OP_END} runs the end hook and closes it.
 */
final class ResidentProtocol {
    static final int CALL = 1;
    static final int REPLY = 2;
    static final int REQUEST = 3;
    static final int RESULT = 4;
    /** The service's first frame on a connection: it is alive and will serve it. */
    static final int HELLO = 5;

    /** The op of the end hook (pam_end); ops 0-5 are {@code Operation}'s ordinals. */
    static final int OP_END = 6;

    /** No frame is bigger: PAM strings are short, and a conversation has at most 32 messages. */
    static final int MAX_FRAME = 1 << 20;

    private ResidentProtocol() {}

    /** A frame being written; {@link #send} writes it whole and wipes the buffer (it may hold a password). */
    static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);

        Out(int kind) {
            u8(kind);
        }

        Out u8(int v) {
            bytes.write(v);
            return this;
        }

        Out i32(int v) {
            bytes.write(v >>> 24);
            bytes.write(v >>> 16);
            bytes.write(v >>> 8);
            bytes.write(v);
            return this;
        }

        Out i64(long v) {
            return i32((int) (v >>> 32)).i32((int) v);
        }

        Out bytes(byte[] b) {
            if (b == null) {
                return i32(-1);
            }
            i32(b.length);
            bytes.write(b, 0, b.length);
            return this;
        }

        void send(SocketChannel channel) throws IOException {
            byte[] payload = bytes.toByteArray();
            ByteBuffer frame = ByteBuffer.allocate(4 + payload.length);
            frame.putInt(payload.length).put(payload).flip();
            try {
                while (frame.hasRemaining()) {
                    channel.write(frame);
                }
            } finally {
                Arrays.fill(payload, (byte) 0);
                Arrays.fill(frame.array(), (byte) 0);
                bytes.reset();
            }
        }
    }

    /** A frame read whole; a short or malformed one is an IOException (the connection is then dropped). */
    static final class In {
        private final ByteBuffer payload;

        private In(ByteBuffer payload) {
            this.payload = payload;
        }

        /** The next frame, or null at a clean end of stream (the application went away). */
        static In receive(SocketChannel channel) throws IOException {
            ByteBuffer header = ByteBuffer.allocate(4);
            if (!readFully(channel, header, true)) {
                return null;
            }
            int length = header.flip().getInt();
            if (length < 1 || length > MAX_FRAME) {
                throw new IOException("bad frame length " + length);
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(channel, payload, false);
            return new In(payload.flip());
        }

        private static boolean readFully(SocketChannel channel, ByteBuffer into, boolean endAllowed)
                throws IOException {
            while (into.hasRemaining()) {
                if (channel.read(into) < 0) {
                    if (endAllowed && into.position() == 0) {
                        return false;
                    }
                    throw new EOFException("the connection ended inside a frame");
                }
            }
            return true;
        }

        int u8() throws IOException {
            need(1);
            return payload.get() & 0xff;
        }

        int i32() throws IOException {
            need(4);
            return payload.getInt();
        }

        long i64() throws IOException {
            need(8);
            return payload.getLong();
        }

        byte[] bytes() throws IOException {
            int length = i32();
            if (length == -1) {
                return null;
            }
            if (length < 0) {
                throw new IOException("bad string length " + length);
            }
            need(length);
            byte[] b = new byte[length];
            payload.get(b);
            return b;
        }

        /** Zeroes the frame (replies may hold what the user typed). */
        void wipe() {
            Arrays.fill(payload.array(), (byte) 0);
        }

        private void need(int n) throws IOException {
            if (payload.remaining() < n) {
                throw new IOException("frame too short");
            }
        }
    }
}
