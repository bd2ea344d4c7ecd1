package org.pamjava.internal.bridge;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
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
 * A connection carries one module instance at a time: calls, and the requests each call makes
 * back to the application, strictly in turn. Op {@link #OP_END} runs the end hook; the client
 * then keeps the connection for the next PAM handle of its process, whose first call starts a
 * new instance.
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

        /** The whole frame, length first; the builder is emptied (wiped). */
        private ByteBuffer frame() {
            byte[] payload = bytes.toByteArray();
            ByteBuffer frame = ByteBuffer.allocate(4 + payload.length);
            frame.putInt(payload.length).put(payload).flip();
            Arrays.fill(payload, (byte) 0);
            bytes.reset();
            return frame;
        }
    }

    /** A frame read whole; a short or malformed one is an IOException (the connection is then dropped). */
    static final class In {
        private final ByteBuffer payload;

        private In(ByteBuffer payload) {
            this.payload = payload;
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

    /**
     * One connection's frames, both ways. A wait for a frame spins for {@link #SPIN_NANOS} before
     * it sleeps: the other side usually answers within microseconds, and a sleep and wake-up costs
     * more than that (the client does the same, resident.c's REPLY_SPIN_NS). The channel is
     * non-blocking, with a selector of its own to sleep on. Used by one thread at a time.
     */
    static final class Connection implements Closeable {
        /** Covers the application's own work between two calls of a transaction (libpam's stack walk). */
        static final long SPIN_NANOS = 120_000;
        /** With one CPU, spinning would only keep the other side from running. */
        private static final boolean SPIN = Runtime.getRuntime().availableProcessors() > 1;

        private static final int INBOX = 4096;
        private static final byte[] ZEROS = new byte[INBOX];

        private final SocketChannel channel;
        private final Selector selector;
        private final SelectionKey key;
        /** Where frames arrive: direct, so a read needs no copy through a temporary buffer. */
        private final ByteBuffer inbox = ByteBuffer.allocateDirect(INBOX);

        Connection(SocketChannel channel) throws IOException {
            this.channel = channel;
            channel.configureBlocking(false);
            this.selector = Selector.open();
            this.key = channel.register(selector, SelectionKey.OP_READ);
        }

        /** Writes the frame whole and wipes it (it may hold a password). */
        void send(Out out) throws IOException {
            ByteBuffer frame = out.frame();
            try {
                while (frame.hasRemaining()) {
                    if (channel.write(frame) == 0) {
                        sleep(SelectionKey.OP_WRITE, 0);
                    }
                }
            } finally {
                Arrays.fill(frame.array(), (byte) 0);
            }
        }

        /** The next frame, or null at a clean end of stream (the application went away). */
        In receive() throws IOException {
            return receive(0);
        }

        /**
         * The next frame; null at a clean end of stream, or when none starts within
         * {@code idleMillis} (0: no limit). A frame that has started is read whole, however long.
         * Its length and, most often, the whole of it come in one read: the application never
         * sends a frame before the previous one is answered, so whatever arrived belongs to it.
         */
        In receive(long idleMillis) throws IOException {
            inbox.clear();
            if (!fill(inbox, 4, idleMillis)) {
                return null;
            }
            int arrived = inbox.position();
            try {
                int length = inbox.getInt(0);
                if (length < 1 || length > MAX_FRAME) {
                    throw new IOException("bad frame length " + length);
                }
                int early = arrived - 4;
                if (early > length) {
                    throw new IOException("more than one frame at once");
                }
                ByteBuffer payload = ByteBuffer.allocate(length);
                payload.put(0, inbox, 4, early).position(early);
                if (!fill(payload, length, 0)) {
                    throw new EOFException("the connection ended inside a frame");
                }
                return new In(payload.flip());
            } finally {
                inbox.put(0, ZEROS, 0, arrived); // a reply may carry what the user typed
            }
        }

        /**
         * Reads until {@code into} holds {@code need} bytes (more if they came with them); false
         * when the stream ends, or {@code idleMillis} pass, before its first byte.
         */
        private boolean fill(ByteBuffer into, int need, long idleMillis) throws IOException {
            long start = System.nanoTime();
            boolean frameStart = into.position() == 0;
            while (into.position() < need) {
                int n = channel.read(into);
                if (n > 0) {
                    continue;
                }
                if (n < 0) {
                    if (frameStart && into.position() == 0) {
                        return false;
                    }
                    throw new EOFException("the connection ended inside a frame");
                }
                long waited = System.nanoTime() - start;
                if (SPIN && waited < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                long limit = 0;
                if (idleMillis > 0 && into.position() == 0) {
                    limit = idleMillis - waited / 1_000_000;
                    if (limit <= 0) {
                        return false;
                    }
                }
                sleep(SelectionKey.OP_READ, limit);
            }
            return true;
        }

        private void sleep(int readiness, long millis) throws IOException {
            key.interestOps(readiness);
            selector.select(millis);
            selector.selectedKeys().clear();
        }

        @Override
        public void close() throws IOException {
            try (channel) {
                selector.close();
            }
        }
    }
}
