package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The resident service started as systemd's pam-java-resident.socket starts it (the listener on
 * standard input, Accept=no), emulated by socket_activate on machines without systemd: it serves
 * pam_java.so through that listener, leaves the socket file to systemd, and refuses what a wrong
 * unit would pass. Uses the fixture's socket and pam_java.so variant, with the fixture's own
 * service stopped meanwhile (it starts again for the next test that needs it).
 */
class SocketActivationTest {
    private static final Path ACTIVATE = PamTestBed.NATIVE.resolve("socket_activate");
    private static final Path LOG = PamTestBed.NATIVE.resolve("socket-activation.log");
    private Process service;

    @BeforeEach
    void noOtherService() throws Exception {
        assumeTrue(Hardening.isRoot(), "the resident service runs as root only");
        ResidentFixture.stop();
        Files.writeString(ResidentFixture.CONF, "resident_socket = " + ResidentFixture.SOCKET + "\n");
        Files.setPosixFilePermissions(ResidentFixture.CONF, PosixFilePermissions.fromString("rw-r--r--"));
        Files.deleteIfExists(LOG);
    }

    @AfterEach
    void stopIt() throws Exception {
        if (service != null && service.isAlive()) {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(ResidentFixture.SOCKET); // systemd's to remove; here the test's
        Files.writeString(ResidentFixture.CONF, "resident_socket = " + ResidentFixture.SOCKET + "\n");
    }

    private Process activate(String... before) throws IOException {
        List<String> command = new ArrayList<>(List.of(ACTIVATE.toString()));
        command.addAll(List.of(before));
        command.addAll(List.of(ResidentFixture.SOCKET.toString(), PamTestBed.DIST.resolve("bin/pam-java-resident").toString(),
                "--config", ResidentFixture.CONF.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(LOG.toFile())).start();
    }

    /** The pid of the process that ran ProcessIdModule in a transaction of the variant pam_java.so. */
    private static String moduleProcess() throws IOException, InterruptedException {
        Path probe = Files.createDirectories(Path.of("target/it-work/socket-activation"));
        Path out = probe.resolve("out");
        Files.createDirectories(probe.resolve("pam.d"));
        Files.writeString(probe.resolve("pam.d/probe"), "auth required " + ResidentFixture.PAM_JAVA + " "
                + PamTestBed.MODULES.resolve("ProcessIdModule.java") + " out=" + out.toAbsolutePath() + "\n");
        Files.deleteIfExists(out);
        Process host = new ProcessBuilder(PamTestBed.NATIVE.resolve("pam_host").toString(), "--confdir",
                probe.resolve("pam.d").toAbsolutePath().toString(), "probe", "auth")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertEquals(0, host.waitFor());
        return Files.exists(out) ? Files.readString(out).strip() : "no transaction";
    }

    @Test
    void aSocketActivatedServiceServesPamJavaSoAndLeavesTheSocketToSystemd() throws Exception {
        service = activate();
        // The listener exists before the JVM does: the first transactions may run in-process
        // while the service starts (as under systemd); once it greets, they run in it.
        String inService = "authenticate pid=" + service.pid();
        String seen = "";
        for (int i = 0; i < 40 && !seen.equals(inService); i++) {
            assertTrue(service.isAlive(), () -> "the service exited: " + log());
            seen = moduleProcess();
            if (!seen.equals(inService)) {
                Thread.sleep(250);
            }
        }
        assertEquals(inService, seen, log());
        assertTrue(log().contains("listening on " + ResidentFixture.SOCKET + " (passed by systemd)"), log());
        service.destroy();
        service.waitFor(30, TimeUnit.SECONDS);
        assertTrue(Files.exists(ResidentFixture.SOCKET), "the socket is systemd's: the service must not remove it");
    }

    @Test
    void aListenerAtAnotherPathThanPamJavaConfsIsRefused() throws Exception {
        Path elsewhere = ResidentFixture.SOCKET_DIR.resolve("other.sock");
        Files.writeString(ResidentFixture.CONF, "resident_socket = " + elsewhere + "\n");
        service = activate();
        assertTrue(service.waitFor(60, TimeUnit.SECONDS), log());
        assertEquals(1, service.exitValue(), log());
        assertTrue(log().contains("the socket passed on standard input is " + ResidentFixture.SOCKET
                + " but pam_java.so connects to " + elsewhere), log());
    }

    @Test
    void aConnectedSocketAsAcceptYesWouldPassIsRefused() throws Exception {
        service = activate("--connected");
        assertTrue(service.waitFor(60, TimeUnit.SECONDS), log());
        assertEquals(1, service.exitValue(), log());
        assertTrue(log().contains("must have Accept=no"), log());
    }

    private static String log() {
        try {
            return Files.exists(LOG) ? Files.readString(LOG) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
