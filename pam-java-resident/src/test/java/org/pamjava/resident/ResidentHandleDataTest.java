package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.PamConstants;
import org.pamjava.resident.ResidentProtocolVersionsTest.Client;

/**
 * The service's Java data of PAM handles: shared by the connections whose HELLO names one process
 * (its process key) for one handle address, never by two processes' handles at the same address,
 * nor by the connections of a client that sends no key; the last instance's END runs the cleanups
 * with pam_end's status (the END's flags); an application that goes away without pam_end has its
 * values cleaned with PAM_ABORT | PAM_DATA_SILENT; and the service keeps no entry afterwards.
 */
@Timeout(60)
class ResidentHandleDataTest implements PamConstants {
    @TempDir
    Path dir;

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ResidentService service;
    private Path socket;
    private Path out;

    @BeforeEach
    void start() throws IOException {
        Path modules = Files.createDirectories(dir.resolve("modules"));
        out = dir.resolve("out.txt");
        Files.writeString(modules.resolve("Writer.java"), """
                import java.nio.file.*;
                import java.util.List;
                import org.pamjava.PamHandle;
                import org.pamjava.PamModule;
                public class Writer implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        Path out = Path.of(args.get(1));
                        pamh.setData("v", "stored", (value, status) -> {
                            try {
                                Files.writeString(out, "cleanup " + value + " " + status + "\\n",
                                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                        return PamHandle.PAM_SUCCESS;
                    }
                }
                """);
        Files.writeString(modules.resolve("Reader.java"), """
                import java.util.List;
                import org.pamjava.PamHandle;
                import org.pamjava.PamModule;
                public class Reader implements PamModule {
                    @Override public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
                        return "stored".equals(pamh.getData("v", String.class)) ? PamHandle.PAM_SUCCESS : PamHandle.PAM_PERM_DENIED;
                    }
                }
                """);
        socket = dir.resolve("resident.sock");
        service = ServiceOnSocket.start(socket, logged, toClose);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        awaitNoHandles(); // the cleanups of instances not ended write into the temporary directory
    }

    /** A connection greeted as pam_java.so greets: its HELLO with the process key, or without one ({@code key} null). */
    private Client connect(long[] key) throws IOException {
        Client c = new Client(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        toClose.add(c);
        ResidentProtocol.In hello = c.receive();
        assertEquals(ResidentProtocol.HELLO, hello.u8());
        ResidentProtocol.Out mine = new ResidentProtocol.Out(ResidentProtocol.HELLO).i32(ResidentProtocol.VERSION);
        if (key != null) {
            mine.i64(key[0]).i64(key[1]);
        }
        c.send(mine);
        ResidentProtocol.In answer = c.receive();
        assertEquals(ResidentProtocol.RESULT, answer.u8());
        assertEquals(PAM_SUCCESS, answer.i32());
        return c;
    }

    /** One CALL of {@code module} (op, flags, pamh), its LOG frames skipped; the RESULT's code. */
    private int call(Client c, String module, int op, int flags, long pamh) throws IOException {
        c.send(new ResidentProtocol.Out(ResidentProtocol.CALL).u8(op).i32(flags).i64(pamh)
                .bytes(ServiceOnSocket.utf8(dir.resolve("modules").toString())).bytes(ServiceOnSocket.utf8("1.5.2"))
                .i32(2).bytes(ServiceOnSocket.utf8(module)).bytes(ServiceOnSocket.utf8(out.toString())));
        while (true) {
            ResidentProtocol.In frame = c.receive();
            int kind = frame.u8();
            if (kind == ResidentProtocol.RESULT) {
                return frame.i32();
            }
            assertEquals(ResidentProtocol.LOG, kind, "no request expected");
        }
    }

    private List<String> cleanups() throws IOException {
        return Files.exists(out) ? Files.readAllLines(out) : List.of();
    }

    /**
     * The session ends an instance after the client's close: waited for, at most 30 s (a bound
     * for a service that never lets go, also after the test, where the class's timeout does not reach).
     */
    private void awaitNoHandles() throws InterruptedException {
        for (int i = 0; i < 3000 && service.handlesWithData() != 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, service.handlesWithData(), "handles whose instances all ended still hold data");
    }

    @Test
    void theConnectionsOfOneProcessShareAHandlesDataAndTheLastEndCleansWithItsStatus() throws Exception {
        long[] process = {0x1111, 0x2222};
        Client writer = connect(process);
        Client reader = connect(process);
        assertEquals(PAM_SUCCESS, call(writer, "Writer.java", 0, 0, 0x5000), logged.toString());
        assertEquals(PAM_SUCCESS, call(reader, "Reader.java", 2, 0, 0x5000), logged.toString());
        assertEquals(1, service.handlesWithData());
        int status = PAM_AUTH_ERR | PAM_DATA_SILENT;
        assertEquals(PAM_SUCCESS, call(reader, "Reader.java", ResidentProtocol.OP_END, status, 0x5000));
        assertEquals(List.of(), cleanups(), "the writer's instance is still there");
        assertEquals(PAM_SUCCESS, call(writer, "Writer.java", ResidentProtocol.OP_END, status, 0x5000));
        assertEquals(List.of("cleanup stored " + status), cleanups());
        assertEquals(0, service.handlesWithData());
    }

    @Test
    void twoProcessesHandlesAtOneAddressAreApart() throws Exception {
        Client writer = connect(new long[] {1, 2});
        Client other = connect(new long[] {1, 3});
        assertEquals(PAM_SUCCESS, call(writer, "Writer.java", 0, 0, 0x6000), logged.toString());
        assertEquals(PAM_PERM_DENIED, call(other, "Reader.java", 2, 0, 0x6000), logged.toString());
        Client sameProcess = connect(new long[] {1, 2});
        assertEquals(PAM_PERM_DENIED, call(sameProcess, "Reader.java", 2, 0, 0x6001), "another handle of it");
        for (Client c : List.of(writer, other, sameProcess)) {
            call(c, "Any.java", ResidentProtocol.OP_END, PAM_SUCCESS, 0);
        }
        assertEquals(0, service.handlesWithData());
    }

    @Test
    void aClientThatSendsNoProcessKeySharesNothingBetweenItsConnections() throws Exception {
        Client writer = connect(null);
        Client reader = connect(null);
        assertEquals(PAM_SUCCESS, call(writer, "Writer.java", 0, 0, 0x7000), logged.toString());
        assertEquals(PAM_PERM_DENIED, call(reader, "Reader.java", 2, 0, 0x7000), logged.toString());
    }

    @Test
    void anApplicationGoneWithoutPamEndHasItsValuesCleanedWithAbort() throws Exception {
        Client writer = connect(new long[] {9, 9});
        assertEquals(PAM_SUCCESS, call(writer, "Writer.java", 0, 0, 0x8000), logged.toString());
        writer.close();
        awaitNoHandles();
        assertEquals(List.of("cleanup stored " + (PAM_ABORT | PAM_DATA_SILENT)), cleanups());
    }

    @Test
    void manyHandlesLeaveNoEntry() throws Exception {
        long[] process = {5, 6};
        Client writer = connect(process);
        Client reader = connect(process);
        int handles = 100;
        for (int i = 0; i < handles; i++) {
            long pamh = 0x9000 + (i % 3) * 0x100; // addresses reused, as malloc reuses them
            assertEquals(PAM_SUCCESS, call(writer, "Writer.java", 0, 0, pamh));
            assertEquals(PAM_SUCCESS, call(reader, "Reader.java", 2, 0, pamh));
            assertEquals(PAM_SUCCESS, call(reader, "Reader.java", ResidentProtocol.OP_END, PAM_SUCCESS, pamh));
            assertEquals(PAM_SUCCESS, call(writer, "Writer.java", ResidentProtocol.OP_END, PAM_SUCCESS, pamh));
        }
        assertEquals(0, service.handlesWithData());
        assertEquals(handles, cleanups().size());
        assertTrue(cleanups().stream().allMatch(l -> l.equals("cleanup stored 0")), cleanups().toString());
    }
}
