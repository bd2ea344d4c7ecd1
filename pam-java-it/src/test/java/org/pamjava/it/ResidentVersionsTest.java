package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * pam_java.so meets a resident service of another protocol version (an upgrade half done:
 * docs/resident-protocol.md, "Versions"): a service whose HELLO has no version (version 1) or
 * another one (version 2's, before the LOG frame, included) is sent nothing at all; every module runs in-process and answers as it would there,
 * and syslog says why once per process. The service is a fake that greets and records what it
 * receives; the real one is stopped meanwhile and started again after.
 */
class ResidentVersionsTest {
    /** Runs two handles (auth, acct, end each) in one host against a fake service greeting with {@code hello}. */
    private static void inProcessAgainst(byte[] hello, String why) throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed("resident-version", Host.RESIDENT);
        bed.timeoutSeconds = 60;
        bed.service("svc", "auth required $PAM_JAVA $MODULES/ProcessIdModule.java $OUT",
                "account required $PAM_JAVA $MODULES/ProcessIdModule.java");
        ResidentFixture.pamJava();
        Process real = ResidentFixture.process();
        real.destroy();
        real.waitFor();
        Files.deleteIfExists(ResidentFixture.SOCKET);
        List<SocketChannel> held = new CopyOnWriteArrayList<>();
        List<String> received = new CopyOnWriteArrayList<>();
        try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fake.bind(UnixDomainSocketAddress.of(ResidentFixture.SOCKET));
            Thread accepting = new Thread(() -> {
                try {
                    while (true) {
                        SocketChannel c = fake.accept();
                        held.add(c);
                        Thread.ofVirtual().start(() -> greetAndRecord(c, hello, received));
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            accepting.setDaemon(true);
            accepting.start();
            Process host = bed.start(Host.RESIDENT, "svc", List.of(), "", "auth", "acct", "end", "auth", "acct", "end");
            Run run = bed.finish(host);
            assertEquals(List.of("auth 0", "acct 0", "auth 0", "acct 0"),
                    run.lines().stream().filter(l -> l.startsWith("auth ") || l.startsWith("acct ")).map(l -> l.substring(0, 6))
                            .toList(), run.lines() + "\nsyslog: " + run.syslog());
            assertEquals(List.of("authenticate pid=" + host.pid(), "authenticate pid=" + host.pid()), run.results(),
                    "both in-process");
            assertEquals(1, run.authprivLog(why).size(), run.syslog().toString());
            assertEquals(List.of(), received, "the service was sent nothing");
        } finally {
            for (SocketChannel c : held) {
                c.close();
            }
            Files.deleteIfExists(ResidentFixture.SOCKET);
            ResidentFixture.start();
        }
    }

    /** Sends the greeting, then records the kind of every frame the client sends until it closes. */
    private static void greetAndRecord(SocketChannel c, byte[] hello, List<String> received) {
        try {
            c.write(ByteBuffer.wrap(hello));
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (c.read(b) >= 0) {
                if (b.position() >= 5) {
                    received.add("a frame of kind " + b.get(4));
                    b.clear();
                }
            }
        } catch (IOException e) {
            // the host went away
        }
    }

    @Test
    void aServiceGreetingWithoutAVersionIsNotUsedAndModulesRunInProcess() throws Exception {
        inProcessAgainst(new byte[] {0, 0, 0, 1, 5},
                "the resident service at " + ResidentFixture.SOCKET + " speaks protocol version 1, this pam_java.so version 4;"
                        + " running Java in this process");
    }

    @Test
    void aServiceOfThePreviousVersionIsNotUsedAndModulesRunInProcess() throws Exception {
        // Version 3 had no GET_AUTHTOK request: a module asking for a token there would fail. Never spoken to.
        inProcessAgainst(new byte[] {0, 0, 0, 5, 5, 0, 0, 0, 3}, "speaks protocol version 3, this pam_java.so version 4");
    }

    @Test
    void aServiceOfVersion2IsNotUsedAndModulesRunInProcess() throws Exception {
        // Version 2 had no LOG frame: its requests would be answered, its log lost. Never spoken to.
        inProcessAgainst(new byte[] {0, 0, 0, 5, 5, 0, 0, 0, 2}, "speaks protocol version 2, this pam_java.so version 4");
    }

    @Test
    void aServiceOfALaterVersionIsNotUsedAndModulesRunInProcess() throws Exception {
        inProcessAgainst(new byte[] {0, 0, 0, 9, 5, 0, 0, 0, 5, 0, 0, 0, 7},
                "speaks protocol version 5, this pam_java.so version 4");
    }
}
