package org.pamjava.internal.bridge;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.pamjava.internal.runtime.Diagnostics;
import org.pamjava.internal.runtime.ModuleLoader;
import org.pamjava.internal.runtime.TrustedPaths;

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
            owned by root and reachable by root only. Logs go to standard error (the journal under
            systemd), with sd-daemon priority prefixes.
            """;

    private final Path socketPath;
    private final Path cacheDir;
    private final List<Path> classPath;
    private final Diagnostics log;
    private final Map<Path, ModuleLoader> loaders = new ConcurrentHashMap<>();
    private final AtomicLong threads = new AtomicLong();
    /** A connection's thread is reused by later ones: a PAM transaction is short, a thread's start is not. */
    private final ExecutorService sessions = Executors.newCachedThreadPool(this::sessionThread);

    ResidentService(Path socketPath, Path cacheDir, List<Path> classPath, Diagnostics log) {
        this.socketPath = socketPath;
        this.cacheDir = cacheDir;
        this.classPath = classPath;
        this.log = log;
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
            if (check) {
                err.println("pam-java-resident: " + config + " and " + socket.getParent() + " are fine");
                return 0;
            }
            if (!ResidentChannel.StringWiper.available()) {
                log.log(Diagnostics.LOG_WARNING, "java.lang is not open to pam_java: passwords in"
                        + " Strings are left to the GC (run the service with pam-java-resident)");
            }
            // What modules print goes to the journal as what pam_java logs does, one entry per message.
            System.setOut(new PrintStream(new SyslogOutput(Diagnostics.LOG_INFO, log), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new SyslogOutput(Diagnostics.LOG_ERR, log), true, StandardCharsets.UTF_8));
            service.serve();
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

    private void serve() throws IOException {
        UserPrincipal root = Files.getOwner(socketPath.getParent(), LinkOption.NOFOLLOW_LINKS);
        try (ServerSocketChannel server = bind()) {
            log.log(Diagnostics.LOG_INFO, "pam_java resident service listening on " + socketPath);
            Runtime.getRuntime().addShutdownHook(new Thread(this::removeSocket, "pam_java resident shutdown"));
            while (true) {
                SocketChannel client = server.accept();
                try {
                    UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
                    if (!peer.user().equals(root)) {
                        log.log(Diagnostics.LOG_WARNING, "pam_java resident: refused a connection from "
                                + peer.user().getName() + ": only root applications may use the service");
                        client.close();
                        continue;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    log.log(Diagnostics.LOG_ERR, "pam_java resident: cannot tell who connected: " + e);
                    client.close();
                    continue;
                }
                sessions.execute(new ResidentSession(client, this::loader, log));
            }
        }
    }

    private Thread sessionThread(Runnable session) {
        Thread t = new Thread(session, "pam_java resident " + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
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
        server.bind(UnixDomainSocketAddress.of(socketPath), 64);
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

    /** One loader per directory of pam_java.so (relative MODULEs resolve against it). */
    private ModuleLoader loader(Path moduleDir) {
        return loaders.computeIfAbsent(moduleDir, dir -> new ModuleLoader(dir,
                cacheDir == null ? null : cacheDir.resolve("classes"), new ArrayList<>(classPath), log));
    }
}
