package org.pamjava.resident;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.pamjava.PamConstants;
import org.pamjava.runtime.TrustedPaths;

/**
 * What {@code pam-java status} finds out: whether pam_java.so in a root application runs its Java
 * modules in the resident service or in-process, and why, decided as pam_java.so decides it
 * (pam-java-shim/src/resident.c, {@code pj_resident_connect}: pam_java.conf read by the one
 * grammar, the socket's trust walk, a root peer, the greeting and the handshake of this
 * protocol version, each wait bounded by the same 3 s); then, from a service that is used, its
 * statistics (the STATUS request, docs/resident-protocol.md). Only root may connect: for anyone
 * else it decides what the files say and tells why it cannot ask.
 */
public final class ResidentStatus {
    /** resident.c's CONNECT_MS: connecting, the greeting and the handshake each wait this long at most. */
    public static final long CONNECT_MILLIS = 3000;
    /** The most the status answer may take: the service computes it at once. */
    public static final long ANSWER_MILLIS = 3000;
    /** The longest socket path a Unix socket takes (sun_path, with its NUL). */
    static final int SUN_PATH_BYTES = 108;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private ResidentStatus() {}

    /** Where a root application's Java modules run. */
    public enum Decision {
        /** In the resident service. */
        SERVICE,
        /** In the application's own process, a JVM of its own. */
        IN_PROCESS,
        /** Nowhere: pam_java.so refuses pam_java.conf, and every call of a Java module fails with PAM_SERVICE_ERR. */
        REFUSED,
        /** Not known to this caller: only root can check the socket and ask the service. */
        UNKNOWN
    }

    /**
     * One module's figures (or the service's, or the modules beyond the service's bound: {@code
     * module} null). Failures are calls whose result was not PAM_SUCCESS; errors are those of
     * them that are not an answer (an error code, or the application lost before the result).
     * The times are the service's per call, the application's conversation not counted, each the
     * largest of its bucket (at most 1/8 above the true figure).
     */
    public record Figures(String module, long calls, long failures, long errors, long p50Nanos, long p99Nanos) {}

    /**
     * What the service says of itself.
     *
     * @param handlesWithData how many PAM handles hold Java data there now (PamHandle.setData), each
     *     from its first module instance to its pam_end; -1 when the service does not say (older)
     */
    public record Report(long pid, String packageVersion, int protocolVersion, long uptimeMillis, int connectionsOpen,
            long connectionsServed, long connectionsRefused, Figures total, List<Figures> modules, int handlesWithData) {
        /** A report of a service that does not count handles' data. */
        public Report(long pid, String packageVersion, int protocolVersion, long uptimeMillis, int connectionsOpen,
                long connectionsServed, long connectionsRefused, Figures total, List<Figures> modules) {
            this(pid, packageVersion, protocolVersion, uptimeMillis, connectionsOpen, connectionsServed,
                    connectionsRefused, total, modules, -1);
        }
    }

    /**
     * The answer.
     *
     * @param why one sentence: what made the decision
     * @param socket resident_socket of the file, or null when unset
     * @param report the service's statistics, or null
     * @param noReport why a service that is used gave no report, else null
     */
    public record Status(Decision decision, String why, Path config, Path socket, Report report, String noReport) {}

    /** The status for pam_java.so reading {@code config}. */
    public static Status of(Path config) {
        if (Files.isSymbolicLink(config)) {
            return new Status(Decision.REFUSED, config + " is a symbolic link, which pam_java.so does not open"
                    + " (O_NOFOLLOW)", config, null, null, null);
        }
        byte[] text;
        try {
            text = Files.readAllBytes(config);
        } catch (NoSuchFileException e) {
            return new Status(Decision.IN_PROCESS, config + " does not exist, so resident_socket has its default:"
                    + " none", config, null, null, null);
        } catch (AccessDeniedException e) {
            return new Status(Decision.UNKNOWN, "cannot read " + config + " as " + whoAmI()
                    + " (run pam-java status as root)", config, null, null, null);
        } catch (IOException e) {
            return new Status(Decision.REFUSED, "cannot read " + config + ": " + e.getMessage(), config, null, null, null);
        }
        PamJavaConf conf;
        try {
            String problem = TrustedPaths.problemForRoot(config);
            if (problem != null) {
                return new Status(Decision.REFUSED, "pam_java.so refuses " + config + ": " + problem, config, null,
                        null, null);
            }
            conf = PamJavaConf.parse(text, config.toString());
        } catch (PamJavaConf.Invalid e) {
            return new Status(Decision.REFUSED, "pam_java.so refuses " + e.getMessage(), config, null, null, null);
        } catch (IOException e) {
            return new Status(Decision.UNKNOWN, "cannot check the directories of " + config + " as " + whoAmI()
                    + ": " + e.getMessage(), config, null, null, null);
        }
        String socket = conf.value("resident_socket");
        if (socket == null) {
            return new Status(Decision.IN_PROCESS, "resident_socket is not set (or empty) in " + config, config,
                    null, null, null);
        }
        return ofSocket(config, Path.of(socket));
    }

    /** What the socket says: the trust walk, then (as root) the service itself. */
    private static Status ofSocket(Path config, Path socket) {
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length >= SUN_PATH_BYTES) {
            return inProcess(config, socket, "resident_socket " + socket + " is too long for a Unix socket");
        }
        try {
            int mode = (Integer) Files.getAttribute(socket, "unix:mode"); // what connect(2) reaches
            String problem = TrustedPaths.problemForRoot(socket);
            if (problem != null) {
                return inProcess(config, socket, "pam_java.so refuses the socket: " + problem);
            }
            if ((mode & S_IFMT) != S_IFSOCK) {
                return inProcess(config, socket, socket + " is not a socket");
            }
        } catch (NoSuchFileException e) {
            return inProcess(config, socket, "there is no socket at " + socket + ": the service is not running"
                    + " (nor its socket unit)");
        } catch (AccessDeniedException e) {
            return new Status(Decision.UNKNOWN, "resident_socket is " + socket + ", which only root can reach:"
                    + " run pam-java status as root to check it and ask the service", config, socket, null, null);
        } catch (IOException e) {
            return inProcess(config, socket, "cannot check " + socket + ": " + e.getMessage());
        }
        if (!TrustedPaths.runningAsRoot()) {
            return new Status(Decision.UNKNOWN, "the socket " + socket + " passes pam_java.so's checks, but only root"
                    + " may connect to it: run pam-java status as root to see whether the service answers", config,
                    socket, null, null);
        }
        return asked(config, socket);
    }

    private static Status inProcess(Path config, Path socket, String why) {
        return new Status(Decision.IN_PROCESS, why, config, socket, null, null);
    }

    /** Connects, checks the peer, the greeting and the handshake as pam_java.so does, then asks for the statistics. */
    static Status asked(Path config, Path socket) {
        SocketChannel channel;
        try {
            channel = connect(socket, CONNECT_MILLIS);
        } catch (IOException e) {
            return inProcess(config, socket, "cannot connect to " + socket + ": " + e.getMessage());
        }
        try (ResidentProtocol.Connection connection = new ResidentProtocol.Connection(channel)) {
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            UserPrincipal root = Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS); // uid 0: checked above
            if (!peer.user().equals(root)) {
                return inProcess(config, socket, "the process listening on " + socket + " runs as "
                        + peer.user().getName() + ", not root: pam_java.so sends it nothing");
            }
            Answer hello = await(connection, CONNECT_MILLIS);
            if (hello.frame == null) {
                return inProcess(config, socket, "the service at " + socket + " " + hello.silence("greet"));
            }
            if (hello.frame.u8() != ResidentProtocol.HELLO) {
                return inProcess(config, socket, "what listens on " + socket + " does not greet as the service does");
            }
            int version = hello.frame.remaining() >= 4 ? hello.frame.i32() : 1;
            if (version != ResidentProtocol.VERSION) {
                return inProcess(config, socket, "the service at " + socket + " speaks protocol version " + version
                        + ", this pam_java version " + ResidentProtocol.VERSION + " (a half-done upgrade: restart"
                        + " the service)");
            }
            connection.send(new ResidentProtocol.Out(ResidentProtocol.HELLO).i32(ResidentProtocol.VERSION));
            Answer handshake = await(connection, CONNECT_MILLIS);
            if (handshake.frame == null || handshake.frame.u8() != ResidentProtocol.RESULT
                    || handshake.frame.i32() != PamConstants.PAM_SUCCESS) {
                return inProcess(config, socket, "the service at " + socket + " did not complete the handshake"
                        + (handshake.frame == null ? " (it " + handshake.silence("answer") + ")" : ""));
            }
            String why = "the socket is root's in a directory chain only root can write, and the service behind it"
                    + " runs as root and speaks protocol version " + version;
            connection.send(new ResidentProtocol.Out(ResidentProtocol.STATUS));
            Answer status = await(connection, ANSWER_MILLIS);
            if (status.frame == null) {
                return new Status(Decision.SERVICE, why, config, socket, null, status.closed
                        ? "the service closed the connection when asked for its status: it does not know the"
                                + " request (a service older than this pam-java?)"
                        : "the service did not answer the status request within " + ANSWER_MILLIS + " ms");
            }
            int kind = status.frame.u8();
            if (kind != ResidentProtocol.STATUS) {
                return new Status(Decision.SERVICE, why, config, socket, null,
                        "the service answered the status request with a frame of kind " + kind);
            }
            return new Status(Decision.SERVICE, why, config, socket, ServiceStatistics.read(status.frame), null);
        } catch (IOException e) {
            return inProcess(config, socket, "the connection to " + socket + " failed: " + e.getMessage());
        }
    }

    /** A frame, or why none came: the service closed the connection, or stayed silent until the limit. */
    private record Answer(ResidentProtocol.In frame, boolean closed, long millis) {
        String silence(String what) {
            return closed ? "closed the connection without a word (at its limit of connections?)"
                    : "did not " + what + " within " + millis + " ms (stopped, hung or overloaded)";
        }
    }

    /**
     * The next frame within {@code millis}. The connection's receive gives null both for the end
     * of the stream and for the limit: only a null that came early is the end.
     */
    private static Answer await(ResidentProtocol.Connection connection, long millis) throws IOException {
        long start = System.nanoTime();
        ResidentProtocol.In frame = connection.receive(millis);
        boolean early = (System.nanoTime() - start) / 1_000_000 < millis;
        return new Answer(frame, frame == null && early, millis);
    }

    /**
     * A connection within {@code millis}: a service that no longer accepts (stopped, with a full
     * backlog) would hold a blocking connect for ever, so it runs on a thread of its own.
     */
    private static SocketChannel connect(Path socket, long millis) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        IOException[] failed = new IOException[1];
        Thread connecting = Thread.ofPlatform().daemon().name("pam-java status: connect").start(() -> {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                failed[0] = e;
            }
        });
        try {
            connecting.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (connecting.isAlive() || failed[0] != null) {
            channel.close();
            throw failed[0] != null ? failed[0]
                    : new IOException("the service accepted no connection within " + millis + " ms (stopped or hung)");
        }
        return channel;
    }

    private static String whoAmI() {
        return "user " + System.getProperty("user.name");
    }
}
