package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real resident service as systemd runs it from pam-java-resident.socket and its unit:
 * socket_activate --restart keeps the listener (Accept=no; connections queue in its backlog while
 * no service runs) and starts the service on it again 1 s after each exit (Restart=always,
 * RestartSec=1). On the fixture's socket and pam_java.so variant, with the fixture's own service
 * stopped meanwhile (it starts again for the next test that needs it); {@link #close} stops both
 * and leaves pam_java.conf as the fixture writes it.
 */
final class ActivatedService implements AutoCloseable {
    static final Path ACTIVATE = PamTestBed.NATIVE.resolve("socket_activate");
    static final Path LOG = PamTestBed.NATIVE.resolve("activated-service.log");
    private final Process activator;

    /** Starts it with pam_java.conf's {@code extraSettings} (lines after resident_socket), and waits until it serves. */
    ActivatedService(String... extraSettings) throws Exception {
        ResidentFixture.stop();
        Files.deleteIfExists(ResidentFixture.SOCKET);
        writeConf(extraSettings);
        Files.deleteIfExists(LOG);
        activator = new ProcessBuilder(ACTIVATE.toString(), "--restart", ResidentFixture.SOCKET.toString(),
                PamTestBed.DIST.resolve("bin/pam-java-resident").toString(), "--config", ResidentFixture.CONF.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(LOG.toFile())).start();
        awaitServing();
    }

    static void writeConf(String... extraSettings) throws IOException {
        Files.writeString(ResidentFixture.CONF, "resident_socket = " + ResidentFixture.SOCKET + "\n"
                + String.join("\n", extraSettings) + "\n");
        Files.setPosixFilePermissions(ResidentFixture.CONF, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** The service running now, if one is (none between an exit and the restart). */
    Optional<ProcessHandle> service() {
        return activator.children().findFirst();
    }

    /** Waits (a minute at most) until a transaction runs in a service, and returns that service. */
    ProcessHandle awaitServing() throws Exception {
        for (int i = 0; i < 240; i++) {
            assertTrue(activator.isAlive(), () -> "socket_activate ended: " + log());
            Optional<ProcessHandle> service = service();
            if (service.isPresent() && ranIn(service.get())) {
                return service.get();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no service ran a transaction in a minute: " + log());
    }

    /** Waits (a minute at most) until {@code service} has exited. */
    static void awaitExit(ProcessHandle service) throws Exception {
        assertTrue(service.onExit().thenApply(p -> true).completeOnTimeout(false, 60, TimeUnit.SECONDS).get(),
                () -> "the service " + service.pid() + " did not exit within a minute: " + log());
    }

    /** A fresh bed whose {@code $PAM_JAVA} is the fixture's resident variant (not starting the fixture's service). */
    static PamTestBed bed(String name) throws IOException {
        PamTestBed bed = new PamTestBed(Files.createTempDirectory(Files.createDirectories(Path.of("target/it-work")),
                name));
        bed.pamJava = ResidentFixture.PAM_JAVA;
        bed.timeoutSeconds = 120;
        return bed;
    }

    /** Whether a ProcessIdModule transaction of a fresh host runs in {@code service}. */
    private static boolean ranIn(ProcessHandle service) throws Exception {
        return moduleProcess(bed("activated-probe")).equals("authenticate pid=" + service.pid());
    }

    /** The process that ran ProcessIdModule in a transaction of a fresh C host on {@code bed}. */
    static String moduleProcess(PamTestBed bed) throws Exception {
        bed.service("probe", "auth required $PAM_JAVA $MODULES/ProcessIdModule.java $OUT");
        PamTestBed.Run run = bed.run(PamTestBed.Host.RESIDENT, "probe", List.of(), "", "auth");
        return run.results().isEmpty() ? "no transaction" : run.results().get(0);
    }

    static String log() {
        try {
            return Files.exists(LOG) ? Files.readString(LOG) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws Exception {
        activator.destroy(); // SIGTERM: it stops the service, then itself
        if (!activator.waitFor(60, TimeUnit.SECONDS)) {
            activator.descendants().forEach(ProcessHandle::destroyForcibly);
            activator.destroyForcibly();
        }
        Files.deleteIfExists(ResidentFixture.SOCKET); // systemd's to remove; here the test's
        writeConf();
    }
}
