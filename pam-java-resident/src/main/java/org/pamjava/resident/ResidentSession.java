package org.pamjava.resident;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.pamjava.PamConstants;
import org.pamjava.PamModule;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.HandleDataRegistry;
import org.pamjava.runtime.ModuleLoadException;
import org.pamjava.runtime.LibPamHandle;
import org.pamjava.runtime.ModuleDispatch;
import org.pamjava.runtime.ModuleInstance;
import org.pamjava.runtime.SyslogRecords;
import org.pamjava.runtime.Utf8;

/**
 * One connection of the resident service: the module instances of one application's PAM handles,
 * one handle at a time. Runs their calls in turn on its own thread. The end hook (op END) ends an
 * instance, and the application then keeps the connection for its next handle; the application
 * going away ends the last one too (without the end hook: pam_end never ran).
 */
final class ResidentSession implements Runnable {
    /**
     * How long a connection no handle uses stays open: before its first call, and after an end
     * until the next handle's first call. The application's pool keeps them for half this
     * (resident.c, POOL_MAX_AGE_NS; wire.h's PJ_WIRE_IDLE_MS), so it never takes one the service is about to close.
     */
    static final long IDLE_MILLIS = 60_000;

    private final SocketChannel socket;
    private final Loads loads;
    private final Diagnostics serviceLog;
    private final long idleMillis;
    private final Runnable ended;
    private final ResidentCalls calls;
    private final ServiceStatistics statistics;
    /** The service's Java data of PAM handles, shared by the connections of one application process. */
    private final HandleDataRegistry handleData;
    /**
     * Who the application process is, as its HELLO says (its process key); until then, or for a
     * client that sends none, an object of this connection alone, so its handles' data is its own.
     */
    private Object process = new Object();
    private ModuleInstance instance;
    /** The statistics of the module the last call named, and that name: looked up again only when it changes. */
    private ServiceStatistics.Module counted;
    private byte[] countedName;

    /** Where a connection's module instances come from: the service's loaders, bounded. */
    interface Loads {
        PamModule load(Path moduleDir, String moduleArg, Diagnostics log) throws ModuleLoadException;
    }

    ResidentSession(SocketChannel socket, Loads loads, Diagnostics serviceLog) {
        this(socket, loads, serviceLog, IDLE_MILLIS, () -> { }, new ResidentCalls(serviceLog),
                new ServiceStatistics(() -> 1), new HandleDataRegistry());
    }

    /**
     * @param ended runs when the connection is closed (the service counts its connections)
     * @param calls the service's connections, which this one joins while it is served
     * @param statistics where its calls are counted, and what a STATUS request is answered from
     * @param handleData the service's Java data of PAM handles (PamHandle.setData), which this
     *     connection's instances join by (application process, handle)
     */
    ResidentSession(SocketChannel socket, Loads loads, Diagnostics serviceLog, long idleMillis, Runnable ended,
            ResidentCalls calls, ServiceStatistics statistics, HandleDataRegistry handleData) {
        this.statistics = statistics;
        this.handleData = handleData;
        this.socket = socket;
        this.calls = calls;
        this.idleMillis = idleMillis;
        this.ended = ended;
        this.loads = loads;
        this.serviceLog = serviceLog;
    }

    /**
     * Logs through the application's pam_syslog while a call runs (queued, see {@link CallRecords}),
     * to the service's log otherwise; each message one record (see {@link SyslogRecords}).
     */
    private record CallLog(ResidentChannel channel, long pamh) implements Diagnostics {
        @Override
        public void log(int priority, String message) {
            channel.log(pamh, priority, SyslogRecords.of(message));
        }
    }

    @Override
    public void run() {
        ResidentChannel channel = null;
        try (socket; ResidentProtocol.Connection connection = new ResidentProtocol.Connection(socket)) {
            channel = new ResidentChannel(connection, serviceLog);
            if (calls.add(socket, channel)) { // else the JVM is exiting: closed unserved
                serve(connection, channel);
            }
        } catch (IOException | RuntimeException | Error e) {
            // An Error (out of memory) ends this connection only; the service goes on.
            if (!calls.exiting()) {
                serviceLog.log(Diagnostics.LOG_ERR, "pam_java resident: connection dropped: " + e);
            }
        } finally {
            if (channel != null) {
                calls.remove(socket, channel);
            }
            // The watch may have interrupted a stuck call that then returned: the pool's next
            // connection on this thread must not inherit it.
            Thread.interrupted();
            try {
                if (instance != null) {
                    // The application went away: no end hook, as no pam_end. Its handle's values
                    // are still released here, where they would outlive it: with PAM_ABORT.
                    ModuleDispatch.drop(instance, PamConstants.PAM_ABORT | PamConstants.PAM_DATA_SILENT, serviceLog);
                }
            } finally {
                instance = null;
                ended.run();
            }
        }
    }

    private void serve(ResidentProtocol.Connection connection, ResidentChannel channel) throws IOException {
        statistics.connectionServed(); // before the greeting: a status asked on it counts it
        connection.send(new ResidentProtocol.Out(ResidentProtocol.HELLO).i32(ResidentProtocol.VERSION));
        boolean handleStarted = false; // a call other than an end came: a handle uses the connection
        boolean handleEnded = false; // the last call ended an instance: what comes next is another handle's
        boolean first = true; // no frame has come yet: the HELLO of a client of this version may
        boolean greeted = false; // the client's HELLO came: pam-java status may ask for the statistics
        while (!channel.broken()) {
            // A connection waits for its first call, or for the next handle after an end, at most
            // IDLE_MILLIS; between the calls of a handle it waits as long as the application's
            // session lasts (an sshd login closes its session at logout).
            ResidentProtocol.In frame = handleEnded ? connection.receiveNextHandle(idleMillis)
                    : connection.receive(handleStarted ? 0 : idleMillis);
            handleEnded = false;
            if (frame == null) {
                return; // the application closed (pam_end without us, a timeout, its exit), or idle too long
            }
            int kind = frame.u8();
            if (first && kind == ResidentProtocol.HELLO) {
                first = false;
                process = handshake(connection, frame, process);
                greeted = true;
                channel.handshakeDone();
                continue;
            }
            first = false; // a CALL first: a version-1 client, served without the handshake (and LOG requests)
            if (kind == ResidentProtocol.STATUS && greeted && instance == null && !handleStarted) {
                connection.send(statistics.report(ResidentService.class.getPackage().getImplementationVersion(),
                        handleData.handles()));
                continue;
            }
            if (kind != ResidentProtocol.CALL) {
                throw new IOException("expected a call");
            }
            ResidentProtocol.Call call = ResidentProtocol.Call.read(frame);
            int op = call.op();
            long pamh = call.pamh();
            byte[][] argv = call.argv();
            int rc;
            long start = System.nanoTime();
            channel.beginCall(new String(argv[0], java.nio.charset.StandardCharsets.UTF_8));
            try {
                Diagnostics log = new CallLog(channel, pamh);
                if (op == ResidentProtocol.OP_END) {
                    handleStarted = false;
                    handleEnded = instance != null; // else the probe of a kept connection: its call follows
                    rc = end(argv[0], call.flags(), log);
                } else {
                    handleStarted = true;
                    rc = ModuleDispatch.run(op, call.flags(), argv, log, new SessionInstance(this, channel, pamh,
                            path(call.moduleDir()), utf8(call.libpamVersion())));
                }
            } finally {
                channel.endCall();
            }
            long nanos = System.nanoTime() - start - channel.takeConversationNanos();
            boolean delivered = false;
            try {
                delivered = channel.sendResult(rc); // the call's last records first; nothing if the application is gone
            } finally {
                if (op != ResidentProtocol.OP_END) {
                    statistics.record(countedModule(call.moduleDir(), argv[0]), rc, !delivered, nanos);
                }
            }
        }
    }

    /**
     * The statistics of the module a call names: MODULE as the rule gives it, resolved against
     * the directory of pam_java.so when relative (as the loader resolves it); never its arguments.
     */
    private ServiceStatistics.Module countedModule(byte[] moduleDir, byte[] module) {
        if (counted == null || !java.util.Arrays.equals(countedName, module)) {
            String name = new String(module, java.nio.charset.StandardCharsets.UTF_8);
            if (!name.startsWith("/")) {
                name = new String(moduleDir, java.nio.charset.StandardCharsets.UTF_8) + "/" + name;
            }
            counted = statistics.module(name);
            countedName = module;
        }
        return counted;
    }

    /**
     * A client's HELLO: its version must be this service's (a client of another version
     * does not send one: it met this service's HELLO and runs in-process), then its process key
     * when it sends one (the application process's connections share its handles' Java data),
     * else {@code connectionOnly}. Fields after those are a later version's, left unread.
     */
    private static Object handshake(ResidentProtocol.Connection connection, ResidentProtocol.In hello,
            Object connectionOnly) throws IOException {
        int version = hello.i32();
        if (version != ResidentProtocol.VERSION) {
            throw new IOException("the client speaks protocol version " + version + ", this service "
                    + ResidentProtocol.VERSION);
        }
        Object process = hello.remaining() >= 16 ? new ProcessKey(hello.i64(), hello.i64()) : connectionOnly;
        connection.send(new ResidentProtocol.Out(ResidentProtocol.RESULT).i32(PamConstants.PAM_SUCCESS));
        return process;
    }

    /** An application process as its pam_java.so names itself in its HELLO: 128 random bits, new in a forked child. */
    record ProcessKey(long high, long low) {}

    /** A PAM handle of an application process: the key of its Java data in the service. */
    record HandleKey(Object process, long pamh) {}

    /** The end hook; {@code status} is pam_end's (the END call's flags), for the handle's cleanups. */
    private int end(byte[] moduleArg, int status, Diagnostics log) {
        ModuleInstance ending = instance;
        instance = null;
        if (ending == null) {
            return PamConstants.PAM_SUCCESS;
        }
        try {
            ModuleDispatch.end(ending, Utf8.decode(moduleArg, "module argument"), status, log);
        } catch (Throwable t) {
            log.logFailure("pam_java internal error at pam_end: " + t, t);
        }
        return PamConstants.PAM_SUCCESS;
    }

    /** The connection's instance, created at its first call (a failed load is retried by the next). */
    private record SessionInstance(ResidentSession session, ResidentChannel channel, long pamh, Path moduleDir,
            String libpamVersion)
            implements ModuleInstance.Source {
        @Override
        public ModuleInstance instance(String moduleArg, Diagnostics log) throws ModuleLoadException {
            if (session.instance == null) {
                PamModule module = session.loads.load(moduleDir, moduleArg, log);
                session.instance = new ModuleInstance(module, new LibPamHandle(pamh, libpamVersion, channel,
                        session.handleData.join(new HandleKey(session.process, pamh))));
            }
            return session.instance;
        }
    }

    private static String utf8(byte[] bytes) {
        return Utf8.decode(bytes, "libpam version");
    }

    private static Path path(byte[] bytes) throws IOException {
        Path p = Path.of(Utf8.decode(bytes, "module directory"));
        if (!p.isAbsolute()) {
            throw new IOException("module directory is not absolute: " + p);
        }
        return p;
    }
}
