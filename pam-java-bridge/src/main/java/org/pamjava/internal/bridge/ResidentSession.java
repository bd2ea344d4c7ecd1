package org.pamjava.internal.bridge;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Function;
import org.pamjava.PamConstants;
import org.pamjava.internal.runtime.Diagnostics;
import org.pamjava.internal.runtime.ModuleLoadException;
import org.pamjava.internal.runtime.ModuleLoader;

/**
 * One connection of the resident service: one module instance of one PAM handle in some
 * application. Runs its calls in turn on its own thread; the end hook (op END) ends it, and so
 * does the application going away (then without the end hook: pam_end never ran).
 */
final class ResidentSession implements Runnable {
    private final SocketChannel socket;
    private final Function<Path, ModuleLoader> loaders;
    private final Diagnostics serviceLog;
    private final ResidentChannel channel;
    private NativeEntry.Instance instance;

    ResidentSession(SocketChannel socket, Function<Path, ModuleLoader> loaders, Diagnostics serviceLog) {
        this.socket = socket;
        this.loaders = loaders;
        this.serviceLog = serviceLog;
        this.channel = new ResidentChannel(socket, serviceLog);
    }

    /** Logs through the application's pam_syslog while a call runs, to the service's log otherwise. */
    private record CallLog(ResidentChannel channel, long pamh) implements Diagnostics {
        @Override
        public void log(int priority, String message) {
            channel.log(pamh, priority, message.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void run() {
        try (socket) {
            new ResidentProtocol.Out(ResidentProtocol.HELLO).send(socket);
            boolean ended = false;
            while (!ended && !channel.broken()) {
                ResidentProtocol.In frame = ResidentProtocol.In.receive(socket);
                if (frame == null) {
                    break; // the application closed: pam_end without us, a timeout, or its exit
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
                        ended = true;
                        rc = end(argv[0], log);
                    } else {
                        rc = NativeEntry.run(op, flags, argv, log,
                                new SessionInstance(this, pamh, path(moduleDir), utf8(libpamVersion)));
                    }
                } finally {
                    channel.endCall();
                }
                if (!channel.broken()) {
                    new ResidentProtocol.Out(ResidentProtocol.RESULT).i32(rc).send(socket);
                }
            }
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
    private record SessionInstance(ResidentSession session, long pamh, Path moduleDir, String libpamVersion)
            implements NativeEntry.InstanceSource {
        @Override
        public NativeEntry.Instance instance(String moduleArg, Diagnostics log) throws ModuleLoadException {
            if (session.instance == null) {
                ModuleLoader loader = session.loaders.apply(moduleDir);
                session.instance = new NativeEntry.Instance(loader.load(moduleArg, log),
                        new LibPamHandle(pamh, libpamVersion, session.channel));
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
