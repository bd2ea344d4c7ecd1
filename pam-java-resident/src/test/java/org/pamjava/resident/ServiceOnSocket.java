package org.pamjava.resident;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** The real ResidentService serving a socket the test binds, on a daemon thread, until the test closes the socket. */
final class ServiceOnSocket {
    private ServiceOnSocket() {}

    /** A CALL's strings, as pam_java.so sends them. */
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Binds {@code socket} and serves it; what the service logs goes into {@code logged}, and the
     * listener into {@code toClose} (closing it stops the service). Returns the service.
     */
    static ResidentService start(Path socket, List<String> logged, List<AutoCloseable> toClose) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        toClose.add(server);
        ResidentService service = new ResidentService(socket, null, List.of(), (priority, message) -> logged.add(message));
        Thread serving = new Thread(() -> {
            try {
                service.serve(server::accept);
            } catch (IOException stopped) {
                // the test closed the socket
            }
        });
        serving.setDaemon(true);
        serving.start();
        return service;
    }
}
