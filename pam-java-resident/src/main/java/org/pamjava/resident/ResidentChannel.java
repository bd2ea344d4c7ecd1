package org.pamjava.resident;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.PamCalls;

/**
 * {@link PamCalls} for a module running in the resident service: each libpam service is a REQUEST
 * to the application's pam_java.so, which makes the libpam call on the application's own thread
 * (the one waiting in pam_authenticate and the like) and sends back a REPLY. One channel serves
 * one connection, that is one module instance at a time; only the thread running its current call
 * may use it, exactly as in-process.
 *
 * <p>What the call logs ({@link #log}: the module's prints through CallOutput, pam_java's own
 * lines about the call) waits in the call's {@link CallRecords}, never for the application, and
 * goes out before the call's next frame: as LOG frames, which nothing answers, to a client of
 * version 3 and later, as LOG requests to one of version 1 (docs/resident-protocol.md).
 */
final class ResidentChannel implements PamCalls {
    static final int GET_ITEM = 1;
    static final int SET_ITEM = 2;
    static final int GET_XAUTH = 3;
    static final int SET_XAUTH = 4;
    static final int GET_ENV = 5;
    static final int PUT_ENV = 6;
    static final int GET_ENV_LIST = 7;
    static final int CONVERSATION = 8;
    static final int FAIL_DELAY = 9;
    static final int GET_USER = 10;
    static final int STRERROR = 11;
    /** pam_get_authtok(3) and its siblings; its {@code which} values are PamCalls' (12 was version 1's LOG request). */
    static final int GET_AUTHTOK = 13;
    static final int AUTHTOK = PamCalls.AUTHTOK;
    static final int OLDAUTHTOK = PamCalls.OLDAUTHTOK;
    static final int AUTHTOK_NOVERIFY = PamCalls.AUTHTOK_NOVERIFY;
    static final int AUTHTOK_VERIFY = PamCalls.AUTHTOK_VERIFY;

    private final ResidentProtocol.Connection connection;
    private final Diagnostics serviceLog;
    private final CallRecords records = new CallRecords();
    private volatile Thread callThread;
    private volatile boolean broken;
    /** The current call, for the stuck-call watch (ResidentCalls): its module, start and waits for the application. */
    private volatile String callModule;
    private volatile long callStart;
    private volatile long waitedNanos;
    private volatile long askedAt;
    private volatile boolean stuck;
    /** Time the current call spent in the application's conversation (a person typing): not the module's. */
    private long conversationNanos;
    /** The client said HELLO (version 3 and later): records go as LOG frames, not as version 1's LOG requests. */
    private boolean logFrames;

    ResidentChannel(ResidentProtocol.Connection connection, Diagnostics serviceLog) {
        this.connection = connection;
        this.serviceLog = serviceLog;
    }

    /** The module's PamHandle works from now until {@link #endCall}, on this thread only. */
    void beginCall(String module) {
        waitedNanos = 0;
        askedAt = 0;
        stuck = false;
        callStart = System.nanoTime();
        callModule = module;
        callThread = Thread.currentThread();
    }

    void endCall() {
        callThread = null;
        callModule = null;
    }

    /** The time spent in the application's conversation since the last call of this, and zero again. */
    long takeConversationNanos() {
        long nanos = conversationNanos;
        conversationNanos = 0;
        return nanos;
    }

    /** The client's HELLO was answered: it speaks this version, whose records are LOG frames. */
    void handshakeDone() {
        logFrames = true;
    }

    /** Whether the connection failed: the application gave up waiting, or went away. */
    boolean broken() {
        return broken;
    }

    /** The module of the call running now, or null between calls. */
    String callModule() {
        return callModule;
    }

    Thread callThread() {
        return callThread;
    }

    /**
     * How long the call running now has spent in module code, the time it waited for the
     * application's replies (the conversation, the user typing) left out, as pam_java.so counts
     * its timeout; -1 between calls.
     */
    long moduleNanos(long now) {
        long start = callStart;
        if (callModule == null) {
            return -1;
        }
        long asking = askedAt;
        return now - start - waitedNanos - (asking != 0 ? now - asking : 0);
    }

    /** Marks the call running now stuck: true the first time for this call (the watch says so once). */
    boolean markStuck() {
        if (stuck || callModule == null) {
            return false;
        }
        stuck = true;
        return true;
    }

    private boolean inCall() {
        return callThread == Thread.currentThread();
    }

    /** One request and its reply; null when the connection failed (then every later call fails too). */
    private ResidentProtocol.In ask(ResidentProtocol.Out request) {
        if (broken) {
            return null;
        }
        long asked = System.nanoTime();
        askedAt = asked;
        try {
            sendAfterRecords(request);
            ResidentProtocol.In reply = connection.receive();
            if (reply == null || reply.u8() != ResidentProtocol.REPLY) {
                throw new IOException("expected a reply");
            }
            return reply;
        } catch (IOException e) {
            broken = true;
            serviceLog.log(Diagnostics.LOG_ERR, "pam_java resident: lost the application during a call: " + e);
            return null;
        } finally {
            waitedNanos += System.nanoTime() - asked;
            askedAt = 0;
        }
    }

    private static ResidentProtocol.Out request(int what) {
        return new ResidentProtocol.Out(ResidentProtocol.REQUEST).u8(what);
    }

    /** A request answered by a code alone. */
    private int simple(ResidentProtocol.Out request) {
        ResidentProtocol.In reply = ask(request);
        try {
            return reply == null ? PamConstants.PAM_ABORT : reply.i32();
        } catch (IOException e) {
            return malformed(e);
        }
    }

    /** A request answered by a code and {@code out.length} byte strings. */
    private int withStrings(ResidentProtocol.Out request, byte[][] out) {
        ResidentProtocol.In reply = ask(request);
        if (reply == null) {
            return PamConstants.PAM_ABORT;
        }
        try {
            int rc = reply.i32();
            for (int i = 0; i < out.length; i++) {
                out[i] = reply.bytes();
            }
            return rc;
        } catch (IOException e) {
            return malformed(e);
        } finally {
            reply.wipe();
        }
    }

    private int malformed(IOException e) {
        broken = true;
        serviceLog.log(Diagnostics.LOG_ERR, "pam_java resident: malformed reply from the application: " + e);
        return PamConstants.PAM_ABORT;
    }

    @Override
    public int getItem(long pamh, int item, byte[][] out) {
        return !inCall() ? NOT_IN_CALL : withStrings(request(GET_ITEM).i32(item), out);
    }

    @Override
    public int setItem(long pamh, int item, byte[] value) {
        return !inCall() ? NOT_IN_CALL : simple(request(SET_ITEM).i32(item).bytes(value));
    }

    @Override
    public int getXAuthData(long pamh, byte[][] out) {
        return !inCall() ? NOT_IN_CALL : withStrings(request(GET_XAUTH), out);
    }

    @Override
    public int setXAuthData(long pamh, byte[] name, byte[] data) {
        return !inCall() ? NOT_IN_CALL
                : simple(request(SET_XAUTH).bytes(name).bytes(name == null ? null : data));
    }

    @Override
    public int getEnv(long pamh, byte[] name, byte[][] out) {
        return !inCall() ? NOT_IN_CALL : withStrings(request(GET_ENV).bytes(name), out);
    }

    @Override
    public int putEnv(long pamh, byte[] nameValue) {
        return !inCall() ? NOT_IN_CALL : simple(request(PUT_ENV).bytes(nameValue));
    }

    @Override
    public byte[][] getEnvList(long pamh) {
        if (!inCall()) {
            return null;
        }
        ResidentProtocol.In reply = ask(request(GET_ENV_LIST));
        if (reply == null) {
            return null;
        }
        try {
            if (reply.i32() != PamConstants.PAM_SUCCESS) {
                return null;
            }
            int n = reply.i32();
            if (n < 0 || n > reply.remaining() / 4) { // each entry takes 4 bytes at least: no array beyond the frame
                throw new IOException("bad list length " + n);
            }
            byte[][] entries = new byte[n][];
            for (int i = 0; i < n; i++) {
                entries[i] = reply.bytes();
            }
            return entries;
        } catch (IOException e) {
            malformed(e);
            return null;
        } finally {
            reply.wipe();
        }
    }

    @Override
    public int conversation(long pamh, int[] styles, byte[][] messages, byte[][] replies, int[] retCodes) {
        if (!inCall()) {
            return NOT_IN_CALL;
        }
        ResidentProtocol.Out request = request(CONVERSATION).i32(styles.length);
        for (int i = 0; i < styles.length; i++) {
            request.i32(styles[i]).bytes(messages[i]);
        }
        long start = System.nanoTime();
        ResidentProtocol.In reply = ask(request);
        conversationNanos += System.nanoTime() - start;
        if (reply == null) {
            return PamConstants.PAM_ABORT;
        }
        try {
            int rc = reply.i32();
            if (rc == PamConstants.PAM_SUCCESS) {
                for (int i = 0; i < styles.length; i++) {
                    replies[i] = reply.bytes();
                    retCodes[i] = reply.i32();
                }
            }
            return rc;
        } catch (IOException e) {
            Arrays.fill(replies, null);
            return malformed(e);
        } finally {
            reply.wipe();
        }
    }

    @Override
    public int failDelay(long pamh, int microseconds) {
        return !inCall() ? NOT_IN_CALL : simple(request(FAIL_DELAY).i32(microseconds));
    }

    @Override
    public int getUser(long pamh, byte[] prompt, byte[][] out) {
        if (!inCall()) {
            return NOT_IN_CALL;
        }
        long start = System.nanoTime(); // libpam prompts for the user name when it has none
        int rc = withStrings(request(GET_USER).bytes(prompt), out);
        conversationNanos += System.nanoTime() - start;
        return rc;
    }

    @Override
    public int getAuthtok(long pamh, int which, byte[] prompt, byte[][] out) {
        if (!inCall()) {
            return NOT_IN_CALL;
        }
        long start = System.nanoTime(); // libpam asks the user unless the item is set
        int rc = withStrings(request(GET_AUTHTOK).i32(which).bytes(prompt), out);
        conversationNanos += System.nanoTime() - start;
        return rc;
    }

    @Override
    public byte[] strerror(long pamh, int errnum) {
        if (!inCall()) {
            return null; // the handle then says "Unknown PAM error N"
        }
        byte[][] text = new byte[1][];
        return withStrings(request(STRERROR).i32(errnum), text) == PamConstants.PAM_SUCCESS ? text[0] : null;
    }

    /** Queued for the application when this thread runs the call (never waits: see {@link CallRecords}). */
    @Override
    public void log(long pamh, int priority, byte[] message) {
        if (!inCall() || broken) {
            serviceLog.log(priority, new String(message, StandardCharsets.UTF_8));
            return;
        }
        records.offer(priority, message);
    }

    /**
     * Ends the call: its last records, then its RESULT. With the connection already failed, the
     * records go to the service's log instead (nothing is sent).
     */
    boolean sendResult(int rc) throws IOException {
        if (broken) {
            recordsToServiceLog();
            return false;
        }
        sendAfterRecords(new ResidentProtocol.Out(ResidentProtocol.RESULT).i32(rc));
        return true;
    }

    /**
     * Sends the records waiting, then {@code frame}, on the thread that sends the call's frames:
     * only a frame the call sends anyway waits for the application, as it did without them.
     */
    private void sendAfterRecords(ResidentProtocol.Out frame) throws IOException {
        List<CallRecords.Entry> waiting = records.take();
        if (waiting.isEmpty()) {
            connection.send(frame);
            return;
        }
        try {
            if (logFrames) {
                List<ResidentProtocol.Out> ahead = new ArrayList<>(waiting.size());
                for (CallRecords.Entry record : waiting) {
                    ahead.add(new ResidentProtocol.Out(ResidentProtocol.LOG).i32(record.priority()).bytes(record.text()));
                }
                connection.send(ahead, frame); // one write: a warm call's records cost no extra system call
                return;
            }
            for (int i = 0; i < waiting.size(); i++) {
                CallRecords.Entry record = waiting.get(i);
                connection.send(request(ResidentProtocol.VERSION_1_LOG_REQUEST).i32(record.priority()).bytes(record.text()));
                ResidentProtocol.In reply = connection.receive();
                if (reply == null || reply.u8() != ResidentProtocol.REPLY) {
                    throw new IOException("expected a reply");
                }
                waiting.set(i, null);
            }
            connection.send(frame);
        } catch (IOException e) {
            broken = true;
            for (CallRecords.Entry record : waiting) {
                if (record != null) {
                    unsent(record);
                }
            }
            throw e;
        }
    }

    /** The records of a call whose application went away (or stopped reading), kept in the service's log. */
    void recordsToServiceLog() {
        for (CallRecords.Entry record : records.take()) {
            unsent(record);
        }
    }

    private void unsent(CallRecords.Entry record) {
        serviceLog.log(record.priority(), "pam_java resident: not delivered to the application: "
                + new String(record.text(), StandardCharsets.UTF_8));
    }

    /** pam_java started the service's JVM, as it starts the JVM in a C application. */
    @Override
    public boolean jvmInitialized() {
        return true;
    }

    @Override
    public void wipeString(String secret) {
        StringWiper.wipe(secret);
    }

    /**
     * The service's own NSS lookups, through {@code java.lang.foreign}: no pam_java.so natives
     * here, and the linker's start-up is paid once per service, not per call.
     */
    @Override
    public org.pamjava.Nss nss() {
        return org.pamjava.runtime.NativeNss.instance();
    }

    /**
     * Zeroes a String's internal array through reflection: the service's launcher opens java.lang
     * to it (pam-java-resident), since there are no pam_java.so natives in its JVM.
     */
    static final class StringWiper {
        private static final Field VALUE = field("value", byte[].class);
        /** The cached hash is a function of the password too. */
        private static final Field HASH = field("hash", int.class);
        private static final Field HASH_IS_ZERO = field("hashIsZero", boolean.class);

        private StringWiper() {}

        private static Field field(String name, Class<?> type) {
            try {
                Field f = String.class.getDeclaredField(name);
                f.setAccessible(true);
                return f.getType() == type ? f : null;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        static boolean available() {
            return VALUE != null;
        }

        static void wipe(String secret) {
            if (secret == null || VALUE == null) {
                return;
            }
            try {
                Arrays.fill((byte[]) VALUE.get(secret), (byte) 0);
                if (HASH != null) {
                    HASH.setInt(secret, 0);
                }
                if (HASH_IS_ZERO != null) {
                    HASH_IS_ZERO.setBoolean(secret, false);
                }
            } catch (IllegalAccessException e) {
                // not opened: left to the GC, as the service said at start-up
            }
        }
    }
}
