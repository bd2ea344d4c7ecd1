package org.pamjava.resident;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * The listening socket systemd passes as standard input (socket activation with
 * {@code StandardInput=socket} and {@code Accept=no}, pam-java-resident.socket): the service then
 * serves it instead of binding its own, and leaves the socket file to systemd, which keeps it
 * (and queues connections) while the service restarts.
 */
final class InheritedListener {
    private InheritedListener() {}

    /**
     * The listener on standard input, or null when there is none (started by hand: the service
     * binds its socket itself). Anything else on standard input that is a socket is refused, as is
     * a listener at another path than {@code configured} (the socket pam_java.so connects to).
     * A refused channel is left open: closing the JDK's inherited channel also silenced standard
     * error (seen on JDK 25), where the refusal is about to be said, and the service exits anyway.
     *
     * @param inherited {@link System#inheritedChannel()}
     * @param configured the socket of {@code --socket} or pam_java.conf's resident_socket, or null
     */
    static ServerSocketChannel of(Channel inherited, Path configured) throws IOException {
        if (inherited == null) {
            return null;
        }
        if (!(inherited instanceof ServerSocketChannel listener)) {
            throw new IOException("standard input is a connected socket, not a listening one: the socket unit"
                    + " must have Accept=no (pam-java-resident.socket)");
        }
        SocketAddress address = listener.getLocalAddress();
        if (!(address instanceof UnixDomainSocketAddress unix) || !unix.getPath().isAbsolute()) {
            throw new IOException("the socket passed on standard input is " + address
                    + ", not a Unix socket with a path (ListenStream= must name a file)");
        }
        Path path = unix.getPath();
        if (configured != null && !configured.equals(path)) {
            throw new IOException("the socket passed on standard input is " + path + " but pam_java.so connects to "
                    + configured + " (resident_socket in pam_java.conf, or --socket): make them the same");
        }
        return listener;
    }

    /** The socket's file: a socket of root's that only root may use (the unit's SocketMode=0600). */
    static void checkFile(Path socket) throws IOException {
        Map<String, Object> a = Files.readAttributes(socket, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        if ((mode & 0170000) != 0140000 || (Integer) a.get("uid") != 0 || (mode & 077) != 0) {
            throw new IOException(socket + " must be a socket owned by root with mode 0600 (SocketMode=0600,"
                    + " SocketUser=root): anyone who can reach it could run PAM modules as root");
        }
    }

    static Path path(ServerSocketChannel listener) throws IOException {
        return ((UnixDomainSocketAddress) listener.getLocalAddress()).getPath();
    }
}
