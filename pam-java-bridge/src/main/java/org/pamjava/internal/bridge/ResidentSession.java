package org.pamjava.internal.bridge;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.Function;
import org.pamjava.PamConstants;
import org.pamjava.internal.runtime.Diagnostics;
import org.pamjava.internal.runtime.ModuleLoadException;
import org.pamjava.internal.runtime.ModuleLoader;

/**
 * One connection of the resident service: the module instances of one application's PAM handles,
 * one handle at a time. Runs their calls in turn on its own thread. The end hook (op END) ends an
 * instance, and the application then keeps the connection for its next handle; the application
 * going away ends the last one too (without the end hook: pam_end never ran).
 */
final class ResidentSession implements Runnable {
    /**
     * How long a connection no handle uses stays open. The application's pool keeps them for half
     * this (resident.c, POOL_MAX_AGE_NS), so it never takes one the service is about to close.
     */
    static final long IDLE_MILLIS = 60_000;

    private final SocketChannel socket;
    private final Function<Path, ModuleLoader> loaders;
    private final Diagnostics serviceLog;
    private NativeEntry.Instance instance;

    ResidentSession(SocketChannel socket, Function<Path, ModuleLoader> loaders, Diagnostics serviceLog) {
        this.socket = socket;
        this.loaders = loaders;
        this.serviceLog = serviceLog;
    }

    /**
     * Logs through the application's pam_syslog while a call runs, to the service's log otherwise;
     * each message one record (see {@link SyslogRecords}).
     */
    private record CallLog(ResidentChannel channel, long pamh) implements Diagnostics {
        @Override
        public void log(int priority, String message) {
            channel.log(pamh, priority, SyslogRecords.of(message));
        }
    }

    @Override
    public void run() {
        try (socket; ResidentProtocol.Connection connection = new ResidentProtocol.Connection(socket)) {
            serve(connection, new ResidentChannel(connection, serviceLog));
        } catch (IOException | RuntimeException e) {
            serviceLog.log(Diagnostics.LOG_ERR, "pam_java resident: connection dropped: " + e);
        } finally {
            if (instance != null) {
                try {
                    NativeEntry.drop(instance); // the application went away: no end hook, as no pam_end
                } catch (IOException e) {
                    serviceLog.log(Diagnostics.LOG_WARNING, "pam_java resident: cannot close a module's loader: " + e);
                }
                instance = null;
            }
        }
    }

    private void serve(ResidentProtocol.Connection connection, ResidentChannel channel) throws IOException {
        connection.send(new ResidentProtocol.Out(ResidentProtocol.HELLO));
        boolean pooled = false; // an instance ended here: the connection waits for the application's next handle
        while (!channel.broken()) {
            ResidentProtocol.In frame = connection.receive(pooled ? IDLE_MILLIS : 0);
            if (frame == null) {
                return; // the application closed (pam_end without us, a timeout, its exit), or idle too long
            }
            if (frame.u8() != ResidentProtocol.CALL) {
                throw new IOException("expected a call");
            }
            int op = frame.u8();
            int flags = frame.i32();
            long pamh = frame.i64();
            byte[] moduleDir = frame.bytes();
            byte[] libpamVersion = frame.bytes();
            int argc = frame.i32();
            if (argc < 1 || argc > 4096 || moduleDir == null || libpamVersion == null) {
                throw new IOException("bad call header");
            }
            byte[][] argv = new byte[argc][];
            for (int i = 0; i < argc; i++) {
                argv[i] = frame.bytes();
                if (argv[i] == null) {
                    throw new IOException("null argument");
                }
            }
            int rc;
            channel.beginCall();
            try {
                Diagnostics log = new CallLog(channel, pamh);
                if (op == ResidentProtocol.OP_END) {
                    pooled = true;
                    rc = end(argv[0], log);
                } else {
                    pooled = false;
                    rc = NativeEntry.run(op, flags, argv, log,
                            new SessionInstance(this, channel, pamh, path(moduleDir), utf8(libpamVersion)));
                }
            } finally {
                channel.endCall();
            }
            if (!channel.broken()) {
                connection.send(new ResidentProtocol.Out(ResidentProtocol.RESULT).i32(rc));
            }
        }
    }

    private int end(byte[] moduleArg, Diagnostics log) {
        NativeEntry.Instance ending = instance;
        instance = null;
        if (ending == null) {
            return PamConstants.PAM_SUCCESS;
        }
        try {
            NativeEntry.end(ending, Utf8.decode(moduleArg, "module argument"), log);
        } catch (Throwable t) {
            log.logFailure("pam_java internal error at pam_end: " + t, t);
        }
        return PamConstants.PAM_SUCCESS;
    }

    /** The connection's instance, created at its first call (a failed load is retried by the next). */
    private record SessionInstance(ResidentSession session, ResidentChannel channel, long pamh, Path moduleDir,
            String libpamVersion)
            implements NativeEntry.InstanceSource {
        @Override
        public NativeEntry.Instance instance(String moduleArg, Diagnostics log) throws ModuleLoadException {
            if (session.instance == null) {
                ModuleLoader loader = session.loaders.apply(moduleDir);
                session.instance = new NativeEntry.Instance(loader.load(moduleArg, log),
                        new LibPamHandle(pamh, libpamVersion, channel));
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
