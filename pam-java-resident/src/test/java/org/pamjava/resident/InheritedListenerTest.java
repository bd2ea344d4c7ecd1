package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the service accepts as systemd's listener (pam-java-it's SocketActivationTest starts it so for real). */
class InheritedListenerTest {
    @TempDir
    Path dir;

    private ServerSocketChannel listener(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return server;
    }

    @Test
    void noInheritedChannelMeansTheServiceBindsItsOwn() throws IOException {
        assertNull(InheritedListener.of(null, dir.resolve("resident.sock")));
    }

    @Test
    void theListenerIsTakenWhenItIsTheConfiguredSocketOrNoneIsConfigured() throws IOException {
        Path socket = dir.resolve("resident.sock");
        try (ServerSocketChannel server = listener(socket)) {
            assertSame(server, InheritedListener.of(server, socket));
            assertSame(server, InheritedListener.of(server, null));
            assertEquals(socket, InheritedListener.path(server));
            IOException e = assertThrows(IOException.class, () -> InheritedListener.of(server, dir.resolve("other.sock")));
            assertTrue(e.getMessage().contains("but pam_java.so connects to " + dir.resolve("other.sock")), e.getMessage());
        }
    }

    @Test
    void aSocketOthersCanReachIsRefused() throws IOException {
        assumeTrue(ResidentService.isRoot(), "a socket of root's needs root");
        Path socket = dir.resolve("resident.sock");
        try (ServerSocketChannel server = listener(socket)) {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            InheritedListener.checkFile(socket);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            IOException e = assertThrows(IOException.class, () -> InheritedListener.checkFile(socket));
            assertTrue(e.getMessage().contains("mode 0600"), e.getMessage());
            assertThrows(IOException.class, () -> InheritedListener.checkFile(dir)); // not a socket
        }
    }
}
