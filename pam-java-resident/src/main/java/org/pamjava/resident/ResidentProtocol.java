package org.pamjava.resident;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import org.pamjava.PamOperation;

/**
 * The resident service's wire format, spoken with pam_java.so's client (pam-java-shim/src/wire.h;
 * docs/resident-protocol.md is the spec, and ResidentProtocolConstantsTest fails when a constant here
 * and in wire.h differ). Frames are a big-endian u32 payload length, then the payload: a u8 kind and
 * its fields. Integers are big-endian; byte strings are an i32 length (-1: null) and the bytes.
 *
 * <pre>
 * service HELLO   version:i32 (the first frame of every connection; version 1 sent no field)
 * client  HELLO   version:i32 processKey:i64 i64 (a client of this version, before its first CALL; answered by
 *                 RESULT 0; the key, which names the application process for its handles' Java data, may be absent)
 * client  CALL    op:u8 flags:i32 pamh:i64 moduleDir:bytes libpamVersion:bytes argc:i32 argv:bytes*
 * client  REPLY   rc:i32, then what the request returns (see ResidentChannel)
 * service REQUEST what:u8, then the request's arguments
 * service RESULT  rc:i32
 * client  STATUS  (pam-java status, after the handshake, between handles; answered by the service's STATUS)
 * service STATUS  pid:i64 packageVersion:bytes version:i32 uptimeMillis:i64 connections... handlesWithData:i32
 *                 (see ServiceStatistics)
 * service LOG     priority:i32 text:bytes (during a call, before its REQUESTs and RESULT; not answered)
 * </pre>
 * A client whose first frame is a CALL speaks version 1 (a pam_java.so loaded before an upgrade):
 * it is served as this version is, without the handshake, and with LOG requests for LOG frames.
 * A connection carries one module instance at a time: calls, and the requests each call makes
 * back to the application, strictly in turn, but for the LOG frames a call's log sends ahead of
 * its next frame, which nothing answers. Op {@link #OP_END} runs the end hook; the client
 * then keeps the connection for the next PAM handle of its process, whose first call starts a
 * new instance.
 */
final class ResidentProtocol {
    static final int CALL = 1;
    static final int REPLY = 2;
    static final int REQUEST = 3;
    static final int RESULT = 4;
    /** The service's first frame on a connection (it is alive and will serve it), and a client's answer (version 2 and later). */
    static final int HELLO = 5;
    /**
     * {@code pam-java status}'s request, after the handshake on a connection with no module
     * instance, and the service's answer: its statistics ({@link ServiceStatistics#report}).
     */
    static final int STATUS = 7;

    /**
     * The service, during a call: one record of the call's log for the application's pam_syslog(3),
     * answered by nothing (version 3 and later; see ResidentChannel).
     */
    static final int LOG = 6;

    /**
     * The protocol version this service speaks (HELLO's field); version 1 had no handshake,
     * version 2 no LOG frame, version 3 no GET_AUTHTOK request and no process key (a client of
     * version 2 or 3 meets this HELLO and runs in-process).
     */
    static final int VERSION = 4;

    /**
     * What a version-1 client gets instead of LOG frames: the LOG request of versions 1 and 2
     * ({@code priority:i32 text:bytes}, answered by a REPLY of its code). A client of this version
     * neither gets nor knows it.
     */
    static final int VERSION_1_LOG_REQUEST = 12;

    /** A byte string's length that means null. */
    static final int NULL_LENGTH = -1;

    /** The op of the end hook (pam_end); ops 0-5 are {@link org.pamjava.PamOperation}'s ordinals. */
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
                return i32(NULL_LENGTH);
            }
            i32(b.length);
            bytes.write(b, 0, b.length);
            return this;
        }

        /** The whole frame, length first; the builder is emptied (wiped). */
        ByteBuffer frame() {
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

        In(ByteBuffer payload) {
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
            if (length == NULL_LENGTH) {
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

        /** Bytes not read yet: a count of entries that each take at least 4 bytes is checked against it. */
        int remaining() {
            return payload.remaining();
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

    /** A CALL frame's fields (after its kind), as the client sends them. */
    record Call(int op, int flags, long pamh, byte[] moduleDir, byte[] libpamVersion, byte[][] argv) {
        /** The most arguments a rule may give a module (libpam's own limit is lower). */
        static final int MAX_ARGS = 4096;

        /**
         * Reads the fields; a missing or null one, or an impossible count, is an IOException
         * (bytes after the arguments are left, as before: room for a later field).
         */
        static Call read(In frame) throws IOException {
            int op = frame.u8();
            int flags = frame.i32();
            long pamh = frame.i64();
            byte[] moduleDir = frame.bytes();
            byte[] libpamVersion = frame.bytes();
            int argc = frame.i32();
            if (argc < 1 || argc > MAX_ARGS || argc > frame.remaining() / 4 || moduleDir == null
                    || libpamVersion == null) {
                throw new IOException("bad call header");
            }
            byte[][] argv = new byte[argc][];
            for (int i = 0; i < argc; i++) {
                argv[i] = frame.bytes();
                if (argv[i] == null) {
                    throw new IOException("null argument");
                }
            }
            return new Call(op, flags, pamh, moduleDir, libpamVersion, argv);
        }
    }

    /**
     * One connection's frames, both ways. A wait for a frame may spin for up to {@link #SPIN_NANOS}
     * before it sleeps: the other side usually answers within microseconds, and a sleep and
     * wake-up costs more than that (the client does the same, pam-java-shim/src/spin.h). Whether
     * it does is adaptive: each kind of wait has a back-off ({@link SpinPolicy}), and at most
     * {@link SpinSlots} threads of the service spin at once. The channel is non-blocking, with a
     * selector of its own to sleep on. Used by one thread at a time.
     */
    static final class Connection implements Closeable {
        /** Covers the application's own work between two calls of a transaction (libpam's stack walk). */
        static final long SPIN_NANOS = 120_000;

        /**
         * How long a frame may take once its first byte arrived, and a write may make no progress:
         * each side writes a whole frame at once, so only a stopped or hostile peer comes near it.
         */
        static final long STALL_MILLIS = 10_000;
        /** The buffer a frame starts in; a longer one's grows by doubling as its bytes arrive. */
        static final int INBOX = 4096;
        private static final byte[] ZEROS = new byte[INBOX];

        private final SocketChannel channel;
        private final long stallMillis;
        private final Selector selector;
        private final SelectionKey key;
        /** Where frames arrive: direct, so a read needs no copy through a temporary buffer. */
        private final ByteBuffer inbox = ByteBuffer.allocateDirect(INBOX);
        private final SpinSlots slots;
        /**
         * The waits within a handle (the next call, a reply): the application's libpam walk
         * between two calls takes tens of microseconds. Starts at the level the service's last
         * such spin left its connection at, its first wait a probe: in a login storm a new
         * connection that finds no answer backs off further at once.
         */
        private final SpinPolicy withinHandle;
        /**
         * The wait after an end, for the process's next handle: soon in a daemon that
         * authenticates many users, never in a login that exits (sshd, su), whose connection
         * ends when the process does. Starts at the longest back-off: a cold login does not
         * spend a spin on its own exit.
         */
        private final SpinPolicy betweenHandles = SpinPolicy.backedOff(SpinPolicy.MOST_LEVEL);

        Connection(SocketChannel channel) throws IOException {
            this(channel, STALL_MILLIS);
        }

        /** With another stall limit (tests). */
        Connection(SocketChannel channel, long stallMillis) throws IOException {
            this(channel, stallMillis, SpinSlots.SERVICE);
        }

        /** With other spin slots (tests). */
        Connection(SocketChannel channel, long stallMillis, SpinSlots slots) throws IOException {
            this.channel = channel;
            this.stallMillis = stallMillis;
            this.slots = slots;
            this.withinHandle = SpinPolicy.probingAt(slots.recentLevel());
            channel.configureBlocking(false);
            this.selector = Selector.open();
            this.key = channel.register(selector, SelectionKey.OP_READ);
        }

        /**
         * Writes the frame whole and wipes it (it may hold a password). An application that stops
         * reading for {@link #STALL_MILLIS} while the frame is not written fails the write: a
         * stopped or hostile peer cannot hold the thread.
         */
        void send(Out out) throws IOException {
            write(out.frame());
        }

        /** Sends the frames {@code ahead} (one-way LOG frames), then {@code out}, in one write. */
        void send(java.util.List<Out> ahead, Out out) throws IOException {
            ByteBuffer[] frames = new ByteBuffer[ahead.size() + 1];
            int length = 0;
            for (int i = 0; i < frames.length; i++) {
                frames[i] = (i < ahead.size() ? ahead.get(i) : out).frame();
                length += frames[i].remaining();
            }
            ByteBuffer all = ByteBuffer.allocate(length);
            for (ByteBuffer frame : frames) {
                all.put(frame);
                Arrays.fill(frame.array(), (byte) 0);
            }
            write(all.flip());
        }

        private void write(ByteBuffer frame) throws IOException {
            try {
                long lastProgress = System.nanoTime();
                while (frame.hasRemaining()) {
                    if (channel.write(frame) > 0) {
                        lastProgress = System.nanoTime();
                        continue;
                    }
                    long left = stallMillis - (System.nanoTime() - lastProgress) / 1_000_000;
                    if (left <= 0) {
                        throw new IOException("the application read nothing for " + stallMillis + " ms");
                    }
                    sleep(SelectionKey.OP_WRITE, left);
                }
            } finally {
                Arrays.fill(frame.array(), (byte) 0);
            }
        }

        /** The next frame within a handle, or null at a clean end of stream (the application went away). */
        In receive() throws IOException {
            return receive(0);
        }

        /** The next frame within a handle (see {@link #receive(long, SpinPolicy)}). */
        In receive(long idleMillis) throws IOException {
            return receive(idleMillis, withinHandle);
        }

        /** The next frame after an end: the first of the process's next handle, if it has one. */
        In receiveNextHandle(long idleMillis) throws IOException {
            return receive(idleMillis, betweenHandles);
        }

        /**
         * The next frame; null at a clean end of stream, or when none starts within
         * {@code idleMillis} (0: no limit: a conversation waits for a person). A frame that has
         * started must be whole within {@link #STALL_MILLIS} of its first byte, else an
         * IOException: the application writes each frame at once. Memory grows with the bytes
         * that arrived, never with the length a frame claims: a few bytes claiming
         * {@link #MAX_FRAME} cost a buffer of {@link #INBOX} bytes. Its length and, most often,
         * the whole of it come in one read: the application never sends a frame before the
         * previous one is answered, so whatever arrived belongs to it.
         */
        private In receive(long idleMillis, SpinPolicy spin) throws IOException {
            inbox.clear();
            if (!awaitFirstByte(inbox, idleMillis, spin)) {
                return null;
            }
            long deadline = System.nanoTime() + stallMillis * 1_000_000;
            ByteBuffer payload = null;
            try {
                fill(inbox, 4, deadline);
                int arrived = inbox.position();
                int length = inbox.getInt(0);
                if (length < 1 || length > MAX_FRAME) {
                    throw new IOException("bad frame length " + length);
                }
                int early = arrived - 4;
                if (early > length) {
                    throw new IOException("more than one frame at once");
                }
                payload = ByteBuffer.allocate(Math.min(length, INBOX));
                payload.put(0, inbox, 4, early).position(early);
                while (payload.position() < length) {
                    if (!payload.hasRemaining()) {
                        payload = grown(payload, length);
                    }
                    fill(payload, Math.min(length, payload.capacity()), deadline);
                }
                In frame = new In(payload.flip());
                payload = null;
                return frame;
            } finally {
                inbox.put(0, ZEROS, 0, inbox.position()); // a reply may carry what the user typed
                if (payload != null) {
                    Arrays.fill(payload.array(), (byte) 0);
                }
            }
        }

        /** Twice the room (at most {@code length}), the bytes so far copied over and wiped from the old. */
        private static ByteBuffer grown(ByteBuffer full, int length) {
            ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(length, 2L * full.capacity()));
            bigger.put(full.flip());
            Arrays.fill(full.array(), (byte) 0);
            return bigger;
        }

        /**
         * Waits until {@code into} holds a byte: false when the stream ends first, or when
         * {@code idleMillis} (0: no limit) pass. Spins first when {@code spin} and a free slot allow.
         */
        private boolean awaitFirstByte(ByteBuffer into, long idleMillis, SpinPolicy spin) throws IOException {
            long start = System.nanoTime();
            int n = channel.read(into);
            if (n == 0 && spin.shouldSpin() && slots.tryStart()) {
                try {
                    do {
                        Thread.onSpinWait();
                        n = channel.read(into);
                    } while (n == 0 && System.nanoTime() - start < SPIN_NANOS);
                } finally {
                    slots.stop();
                }
                spin.outcome(n != 0);
                if (spin == withinHandle) {
                    slots.recordLevel(spin.level());
                }
            }
            while (n == 0) {
                long limit = 0;
                if (idleMillis > 0) {
                    limit = idleMillis - (System.nanoTime() - start) / 1_000_000;
                    if (limit <= 0) {
                        return false;
                    }
                }
                sleep(SelectionKey.OP_READ, limit);
                n = channel.read(into);
            }
            return n > 0;
        }

        /**
         * Reads until {@code into} holds {@code need} bytes (more if they came with them, as room
         * allows): an EOFException when the stream ends first, an IOException at {@code deadline}.
         * No spin: the application writes a frame with one write, so the rest of one whose start
         * came is there with it, but for a frame bigger than the socket's buffer, whose writer waits
         * for this side to read (it runs again when this side sleeps).
         */
        private void fill(ByteBuffer into, int need, long deadline) throws IOException {
            while (into.position() < need) {
                int n = channel.read(into);
                if (n > 0) {
                    continue;
                }
                if (n < 0) {
                    throw new EOFException("the connection ended inside a frame");
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new IOException("a frame stalled: not whole " + stallMillis + " ms after its first byte");
                }
                sleep(SelectionKey.OP_READ, left);
            }
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
