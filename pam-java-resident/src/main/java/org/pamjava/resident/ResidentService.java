package org.pamjava.resident;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.pamjava.PamConstants;
import org.pamjava.PamModule;
import org.pamjava.runtime.CallOutput;
import org.pamjava.runtime.ModuleLogging;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.HandleDataRegistry;
import org.pamjava.runtime.ModuleLoadException;
import org.pamjava.runtime.ModuleLoader;
import org.pamjava.runtime.SharedStates;
import org.pamjava.runtime.TrustedPaths;
import org.pamjava.runtime.SyslogOutput;
import org.pamjava.runtime.SyslogRecords;

/**
 * pam_java's resident service (pam-java-resident(8)): a long-lived JVM that runs Java modules for
 * pam_java.so in every root PAM application, over a Unix socket only root can reach. A PAM call
 * then costs a few messages instead of a JVM start, and a process connects once for all its PAM
 * handles (ResidentSession). Module code, loading rules,
 * isolation per PAM handle and the PamHandle API are those of pam_java.so in-process.
 */
public final class ResidentService {
    static final String USAGE = """
            usage: pam-java-resident [--config FILE] [--socket PATH] [--check]

            Runs pam_java's resident service: Java PAM modules of root applications (su, sshd,
            login, sudo) run in this one long-lived JVM instead of a JVM started in each process.
            pam_java.so uses it when pam_java.conf sets resident_socket and the application runs
            as root; otherwise, or while the service is down, it runs modules in-process as before.

              --config FILE   pam_java.conf to read (default: the installation's)
              --socket PATH   where to listen (default: resident_socket of pam_java.conf)
              --check         check the configuration and the socket's directory, then exit
              --help          this text

            Must run as root. The socket's directory is created mode 0700 if missing and must be
            owned by root and reachable by root only. Started by pam-java-resident.socket (systemd
            socket activation, Accept=no), it serves the listening socket on standard input, which
            must be the one pam_java.conf names, and leaves its file to systemd. What a module
            logs in a call goes to the application's syslog, as in-process; the service's own
            logs, and what modules print outside calls, go to standard error (the journal under
            systemd), with sd-daemon priority prefixes.
            """;

    /**
     * The most connections served at once, each on a thread of its own (a connection waits for
     * its application's next message on its thread). One more is refused: closed at once, before
     * the greeting, so the application runs the module in-process without waiting.
     */
    static final int MAX_CONNECTIONS = 256;
    /** What a connection holds: its socket, its selector's epoll instance and wake-up descriptor. */
    static final int DESCRIPTORS_PER_CONNECTION = 3;
    /** Descriptors kept for the rest of the service: the JVM's own, jars, module files. */
    static final int DESCRIPTORS_RESERVED = 128;
    /**
     * The most module directories whose loaders are kept (a system has one or two: the
     * directories of pam_java.so); the least recently used one goes beyond it. A connection that
     * uses an evicted loader keeps it; a later one gets a new loader.
     */
    static final int MAX_LOADERS = 64;

    /**
     * The most module loads at once. A load that compiles a .java module runs javac, tens of MB
     * of heap: a login storm right after the service started (200 first calls of a module not
     * compiled yet) ran out of the service's 96 MB heap. The first loads compile; the others,
     * waiting, then find the classes compiled.
     */
    static final int MAX_CONCURRENT_LOADS = 2;
    /** How long a call waits for a load to start: a compile takes a second or two, a cached load milliseconds. */
    static final long LOAD_WAIT_SECONDS = 60;

    private final Semaphore loads = new Semaphore(MAX_CONCURRENT_LOADS, true);
    private final Path socketPath;
    private final Path cacheDir;
    private final List<Path> classPath;
    private final Diagnostics log;
    private final int maxConnections;
    private final long idleMillis;
    private final Map<Path, ModuleLoader> loaders = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, ModuleLoader> eldest) {
            return size() > MAX_LOADERS;
        }
    };
    private final AtomicLong threads = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    /** What pam-java status reports (the STATUS request): connections, and each module's calls. */
    private final ServiceStatistics statistics = new ServiceStatistics(connections::get);
    /** A connection's thread is reused by later ones: a PAM transaction is short, a thread's start is not. */
    private final Executor sessions;
    /** Kinds of trouble already logged since the service last served a connection: each is logged once. */
    private final Set<String> told = new HashSet<>();
    private final Backoff backoff = new Backoff();
    /** The connections served and their calls: what the exit closes and the stuck-call watch counts. */
    private final ResidentCalls calls;
    /** The Java data of the PAM handles whose modules run here (PamHandle.setData), by (process, handle). */
    private final HandleDataRegistry handleData = new HandleDataRegistry();
    /**
     * The states of modules declaring {@link org.pamjava.SharedState}: one for the whole service,
     * whatever loader (module directory) a handle's load goes through; closed at the exit.
     */
    private final SharedStates sharedStates;
    /** A descriptor kept free to refuse a connection with when the descriptors run out. */
    private FileChannel spare;

    ResidentService(Path socketPath, Path cacheDir, List<Path> classPath, Diagnostics log) {
        this(socketPath, cacheDir, classPath, log, MAX_CONNECTIONS, ResidentSession.IDLE_MILLIS, null);
    }

    /** With other limits, and {@code sessions} to run connections on (null: a pool of at most {@code maxConnections} threads). */
    ResidentService(Path socketPath, Path cacheDir, List<Path> classPath, Diagnostics log, int maxConnections,
            long idleMillis, Executor sessions) {
        this.socketPath = socketPath;
        this.cacheDir = cacheDir;
        this.classPath = classPath;
        this.log = log;
        this.maxConnections = maxConnections;
        this.idleMillis = idleMillis;
        this.calls = new ResidentCalls(log);
        this.sharedStates = new SharedStates(log, false);
        this.sessions = sessions != null ? sessions : new ThreadPoolExecutor(0, maxConnections, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), this::sessionThread);
    }

    /** How many PAM handles hold Java data in the service now: each from its first module instance to its pam_end. */
    int handlesWithData() {
        return handleData.handles();
    }

    /**
     * The pause after a failure to accept or to start a connection: 10 ms, doubling up to 1 s
     * while failures go on, back to 10 ms once a connection is served. A lasting failure (no
     * descriptors, no threads) then costs a few attempts a second, not a CPU.
     */
    static final class Backoff {
        static final long FIRST_MILLIS = 10;
        static final long MOST_MILLIS = 1000;
        private long next = FIRST_MILLIS;

        /** How long the next pause lasts; each one doubles the next, up to {@link #MOST_MILLIS}. */
        long next() {
            long pause = next;
            next = Math.min(MOST_MILLIS, next * 2);
            return pause;
        }

        void reset() {
            next = FIRST_MILLIS;
        }
    }

    /**
     * Standard error with sd-daemon(3) priority prefixes, which the journal reads: one line, so one
     * journal entry, per message, its control characters escaped ({@link SyslogRecords}); a newline
     * in a message cannot start an entry, nor give it a priority of its own.
     */
    record StderrLog(PrintStream err) implements Diagnostics, SyslogOutput.Sink {
        @Override
        public void log(int priority, String message) {
            send(priority, SyslogRecords.of(message));
        }

        @Override
        public void send(int priority, byte[] record) {
            synchronized (err) {
                err.print("<" + priority + ">");
                err.write(record, 0, record.length);
                err.println();
            }
        }
    }

    public static void main(String[] argv) {
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
                StandardCharsets.UTF_8);
        StderrLog log = new StderrLog(err);
        try {
            System.exit(start(argv, err, log));
        } catch (IllegalArgumentException e) {
            err.println("pam-java-resident: " + e.getMessage());
            err.println("(pam-java-resident --help says how to use it)");
            System.exit(2);
        }
    }

    static int start(String[] argv, PrintStream err, StderrLog log) {
        Path config = Path.of(System.getProperty("pamjava.config", "/etc/security/pam_java.conf"));
        Path socket = null;
        boolean check = false;
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                case "--config" -> config = Path.of(value(argv, ++i, "--config"));
                case "--socket" -> socket = Path.of(value(argv, ++i, "--socket"));
                case "--check" -> check = true;
                default -> throw new IllegalArgumentException("unknown argument '" + argv[i] + "'");
            }
        }
        try {
            if (!isRoot()) {
                err.println("pam-java-resident: must run as root (only root applications use it)");
                return 1;
            }
            ResidentConfig settings = ResidentConfig.read(config);
            if (socket == null) {
                socket = settings.residentSocket();
            }
            // Started by systemd's socket unit: its listener is standard input.
            ServerSocketChannel inherited = InheritedListener.of(System.inheritedChannel(), socket);
            if (inherited != null) {
                socket = InheritedListener.path(inherited);
            }
            if (socket == null) {
                err.println("pam-java-resident: no socket: set resident_socket in " + config + " or give --socket");
                return 1;
            }
            if (!socket.isAbsolute()) {
                err.println("pam-java-resident: the socket must be an absolute path: " + socket);
                return 1;
            }
            ResidentService service = new ResidentService(socket, settings.cacheDir(), settings.classPath(), log);
            service.prepareDirectory();
            if (inherited != null) {
                InheritedListener.checkFile(socket);
            }
            if (check) {
                err.println("pam-java-resident: " + config + " and " + socket.getParent() + " are fine");
                return 0;
            }
            if (!ResidentChannel.StringWiper.available()) {
                log.log(Diagnostics.LOG_WARNING, "java.lang is not open to pam_java: passwords in"
                        + " Strings are left to the GC (run the service with pam-java-resident)");
            }
            // What a module prints in a call goes to that call's application, as in-process; the
            // rest to the journal, naming the module (one record, one entry, per message).
            SyslogOutput.Sink output = new CallOutput(new OutsideCallsOutput(log));
            System.setOut(new PrintStream(new SyslogOutput(Diagnostics.LOG_INFO, output), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new SyslogOutput(Diagnostics.LOG_ERR, output), true, StandardCharsets.UTF_8));
            // And java.util.logging / System.Logger records, once something logs (the launcher's
            // -Djava.util.logging.config.class names ModuleLogging).
            ModuleLogging.route(output);
            service.serve(inherited, settings.timeoutMillis());
            return 0;
        } catch (IOException e) {
            err.println("pam-java-resident: " + e.getMessage());
            return 1;
        }
    }

    private static String value(String[] argv, int i, String option) {
        if (i >= argv.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return argv[i];
    }

    static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    /** The socket's directory: root's, reachable by root only, created so if missing. */
    void prepareDirectory() throws IOException {
        Path dir = socketPath.getParent();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode,isDirectory", LinkOption.NOFOLLOW_LINKS);
        if (!(Boolean) a.get("isDirectory") || (Integer) a.get("uid") != 0 || ((Integer) a.get("mode") & 077) != 0) {
            throw new IOException(dir + " must be a directory owned by root with mode 0700 (no symbolic link):"
                    + " anyone who can reach the socket could run PAM modules as root");
        }
        String problem = TrustedPaths.problem(dir);
        if (problem != null) {
            throw new IOException("refusing " + dir + ": " + problem);
        }
    }

    /**
     * Serves {@code inherited} (systemd's listener, whose file systemd keeps), or a socket it binds
     * itself; at the JVM's exit, as {@link ResidentExit} says. With a {@code timeoutMillis}
     * (pam_java.conf's timeout, which pam_java.so applies), calls stuck past it are watched.
     */
    private void serve(ServerSocketChannel inherited, long timeoutMillis) throws IOException {
        calls.startWatch(timeoutMillis);
        if (inherited != null) {
            try (inherited) {
                ResidentExit.install(calls, log, null, sharedStates);
                log.log(Diagnostics.LOG_INFO, "pam_java resident service listening on " + socketPath
                        + " (passed by systemd)");
                serve(inherited::accept);
            }
            return;
        }
        try (ServerSocketChannel server = bind()) {
            ResidentExit.install(calls, log, this::removeSocket, sharedStates);
            log.log(Diagnostics.LOG_INFO, "pam_java resident service listening on " + socketPath);
            serve(server::accept);
        }
    }

    /** Where connections come from: the listening socket's accept (a test injects failures). */
    interface Acceptor {
        SocketChannel accept() throws IOException;
    }

    /**
     * Accepts and serves connections until the listening socket is closed. No failure ends it:
     * one that cannot accept (out of descriptors, of memory) or cannot start a connection's thread
     * logs once and pauses ({@link Backoff}); a connection beyond the limits is closed at once.
     */
    void serve(Acceptor server) throws IOException {
        UserPrincipal root = Files.getOwner(socketPath.getParent(), LinkOption.NOFOLLOW_LINKS);
        spare = openSpare();
        while (true) {
            try {
                serveOne(server, root);
            } catch (ClosedChannelException closed) {
                throw closed; // the service is stopping
            } catch (IOException | RuntimeException | Error e) {
                // Anything else (an OutOfMemoryError in accept or in the checks of a connection):
                // the loop is the service, and ending it would fail every call in flight.
                trouble("cannot serve a connection", e);
                pause();
            }
        }
    }

    /** Accepts one connection and hands it to a session, or refuses it (see {@link #serve}). */
    private void serveOne(Acceptor server, UserPrincipal root) throws IOException {
        SocketChannel client;
        try {
            client = server.accept();
        } catch (ClosedChannelException closed) {
            throw closed; // the service is stopping
        } catch (IOException e) {
            trouble("cannot accept a connection", e);
            if (String.valueOf(e.getMessage()).contains("Too many open files")) { // EMFILE, ENFILE
                refuseWithTheSpare(server);
            }
            pause();
            return;
        }
        if (!fromRoot(client, root)) {
            statistics.connectionRefused();
            return;
        }
        int limit = connectionLimit();
        if (connections.get() >= limit) {
            statistics.connectionRefused();
            trouble("refusing connections: " + limit + " are open, the most it serves at once", null);
            closeQuietly(client);
            return;
        }
        connections.incrementAndGet();
        try {
            sessions.execute(new ResidentSession(client, this::load, log, idleMillis,
                    connections::decrementAndGet, calls, statistics, handleData));
        } catch (RejectedExecutionException | Error e) {
            // No thread for it (a thread's start failed: out of memory, a pids limit): refused.
            connections.decrementAndGet();
            statistics.connectionRefused();
            closeQuietly(client);
            trouble("cannot start a thread for a connection", e);
            pause();
            return;
        }
        if (!told.isEmpty()) {
            told.clear();
            log.log(Diagnostics.LOG_NOTICE, "pam_java resident: serving connections again");
        }
        backoff.reset();
    }

    private boolean fromRoot(SocketChannel client, UserPrincipal root) {
        try {
            UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (peer.user().equals(root)) {
                return true;
            }
            log.log(Diagnostics.LOG_WARNING, "pam_java resident: refused a connection from "
                    + peer.user().getName() + ": only root applications may use the service");
        } catch (IOException | UnsupportedOperationException e) {
            log.log(Diagnostics.LOG_ERR, "pam_java resident: cannot tell who connected: " + e);
        }
        closeQuietly(client);
        return false;
    }

    /**
     * The most connections served at once: {@link #MAX_CONNECTIONS}, fewer when the descriptor
     * limit (read each time: it can change under a running process) leaves room for fewer.
     */
    private int connectionLimit() {
        long descriptors = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
        if (descriptors <= 0) {
            return maxConnections;
        }
        return (int) Math.max(0, Math.min(maxConnections,
                (descriptors - DESCRIPTORS_RESERVED) / DESCRIPTORS_PER_CONNECTION));
    }

    /** Logs a kind of trouble the first time it happens since a connection was last served. */
    private void trouble(String what, Throwable cause) {
        String kind = what + (cause == null ? "" : ": " + cause.getClass().getName());
        if (told.add(kind)) {
            log.log(Diagnostics.LOG_ERR, "pam_java resident: " + what + (cause == null ? "" : ": " + cause)
                    + " (logged once until it serves a connection again)");
        }
    }

    private void pause() {
        try {
            Thread.sleep(backoff.next());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Out of descriptors, a waiting connection cannot even be accepted to be closed, and its
     * application would wait for a greeting until its own limit. The spare descriptor is given up
     * for a moment to accept one and close it: the application sees the connection closed and
     * runs the module in-process at once.
     */
    private void refuseWithTheSpare(Acceptor server) throws ClosedChannelException {
        if (spare == null) {
            spare = openSpare();
            return;
        }
        closeQuietly(spare);
        spare = null;
        try {
            closeQuietly(server.accept());
        } catch (ClosedChannelException closed) {
            throw closed;
        } catch (IOException e) {
            // still none: the pause, then the next attempt
        }
        spare = openSpare();
    }

    private static FileChannel openSpare() {
        try {
            return FileChannel.open(Path.of("/dev/null"));
        } catch (IOException e) {
            return null;
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException e) {
            // closing is all that was left to do with it
        }
    }

    private Thread sessionThread(Runnable session) {
        Thread t = new Thread(session, "pam_java resident " + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    /**
     * A new instance of the module, through its directory's loader, at most {@link #MAX_CONCURRENT_LOADS}
     * at once. What the load logs reaches {@code callLog} only after its permit is released:
     * that log is for the application, which its user may have stopped (SIGSTOP of one's own
     * setuid su), and a permit held while waiting on it would hold every later login's load (a
     * call's log only queues, CallRecords, but a load must not depend on it). A
     * load that cannot start within {@link #LOAD_WAIT_SECONDS} (both permits held by modules
     * whose constructors do not return) fails closed.
     */
    PamModule load(Path moduleDir, String moduleArg, Diagnostics callLog) throws ModuleLoadException {
        List<Map.Entry<Integer, String>> held = new ArrayList<>();
        Diagnostics holding = (priority, message) -> {
            synchronized (held) {
                held.add(Map.entry(priority, message));
            }
        };
        try {
            if (!loads.tryAcquire(LOAD_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, "pam_java resident: no module load could"
                        + " start within " + LOAD_WAIT_SECONDS + " s: " + MAX_CONCURRENT_LOADS + " loads are running"
                        + " (a module's constructor or static initialiser that does not return?)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, "pam_java resident: interrupted waiting to load a module");
        }
        try {
            return loader(moduleDir).load(moduleArg, holding);
        } finally {
            loads.release();
            synchronized (held) {
                for (Map.Entry<Integer, String> record : held) {
                    callLog.log(record.getKey(), record.getValue());
                }
            }
        }
    }

    /** How many module directories have a loader now. */
    synchronized int loaderCount() {
        return loaders.size();
    }

    /** Binds the socket; a stale one (no service answers it) is replaced, a live one is not. */
    private ServerSocketChannel bind() throws IOException {
        if (Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.readAttributes(socketPath, java.nio.file.attribute.PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isOther()) {
                throw new IOException(socketPath + " exists and is not a socket; not replacing it");
            }
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socketPath))) {
                throw new IOException("another service already listens on " + socketPath);
            } catch (IOException stale) {
                if (stale.getMessage() != null && stale.getMessage().startsWith("another service")) {
                    throw stale;
                }
                Files.delete(socketPath);
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        // A login storm connects all at once: its connections wait in the backlog while the one
        // accepting thread starts theirs (an application waits 5 s for a greeting, connection.h).
        server.bind(UnixDomainSocketAddress.of(socketPath), MAX_CONNECTIONS);
        Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
        return server;
    }

    private void removeSocket() {
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            // going away anyway; the next start replaces a stale socket
        }
    }

    /** One loader per directory of pam_java.so (relative MODULEs resolve against it), at most {@link #MAX_LOADERS}. */
    synchronized ModuleLoader loader(Path moduleDir) {
        return loaders.computeIfAbsent(moduleDir, dir -> new ModuleLoader(dir,
                cacheDir == null ? null : cacheDir.resolve("classes"), new ArrayList<>(classPath), log, sharedStates));
    }
}
