package org.pamjava.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The real resident service (dist/bin/pam-java-resident), started once for the test run, and the
 * pam_java.so variant whose pam_java.conf names its socket. Root only: the service refuses to run
 * otherwise, and pam_java.so uses it only in root applications (CI runs as root).
 */
final class ResidentFixture {
    static final Path PAM_JAVA = PamTestBed.NATIVE.resolve("residentvariant/pam_java.so");
    static final Path CONF = PamTestBed.NATIVE.resolve("resident.conf");
    static final Path SOCKET_DIR = Path.of("/run/pam-java-it." + ProcessHandle.current().pid());
    static final Path SOCKET = SOCKET_DIR.resolve("resident.sock");
    static final Path LOG = PamTestBed.NATIVE.resolve("resident-service.log");
    private static Process service;

    private ResidentFixture() {}

    /** The variant pam_java.so, with the service listening; skips the test when not root. */
    static synchronized Path pamJava() throws IOException, InterruptedException {
        assumeTrue(Hardening.isRoot(), "the resident service runs as root only");
        if (service == null || !service.isAlive()) {
            start();
        }
        return PAM_JAVA;
    }

    /** The protocol version pam_java.so speaks (wire.h's PJ_WIRE_VERSION), for fake services that greet as the real one. */
    static int protocolVersion() throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^#define PJ_WIRE_VERSION (\\d+)$")
                .matcher(Files.readString(Path.of("..", "pam-java-shim", "src", "wire.h")));
        if (!m.find()) {
            throw new IOException("no PJ_WIRE_VERSION in pam-java-shim/src/wire.h");
        }
        return Integer.parseInt(m.group(1));
    }

    /** What a failed assertion about the service needs: its configuration, whether it runs, its socket. */
    static synchronized String state() {
        String conf;
        try {
            conf = Files.readString(CONF).strip();
        } catch (IOException e) {
            conf = "unreadable: " + e;
        }
        return CONF + ": [" + conf + "]; service " + (service == null ? "never started"
                : service.isAlive() ? "alive (pid " + service.pid() + ")" : "exited " + service.exitValue())
                + "; " + SOCKET + (Files.exists(SOCKET) ? " exists" : " is missing");
    }

    static synchronized Process process() {
        return service;
    }

    /** Starts the service (again, after a test stopped it) and waits until it listens. */
    static synchronized void start() throws IOException, InterruptedException {
        Files.writeString(CONF, "resident_socket = " + SOCKET + "\n");
        Files.setPosixFilePermissions(CONF, PosixFilePermissions.fromString("rw-r--r--"));
        Files.deleteIfExists(SOCKET);
        service = new ProcessBuilder(List.of(PamTestBed.DIST.resolve("bin/pam-java-resident").toString(),
                "--config", CONF.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(LOG.toFile())).start();
        if (!registered) {
            registered = true;
            Runtime.getRuntime().addShutdownHook(new Thread(ResidentFixture::stopQuietly));
        }
        for (int i = 0; i < 600 && !Files.exists(SOCKET); i++) {
            if (!service.isAlive()) {
                throw new IOException("the resident service exited: " + Files.readString(LOG));
            }
            Thread.sleep(50);
        }
        if (!Files.exists(SOCKET)) {
            throw new IOException("the resident service did not listen in 30 s: " + Files.readString(LOG));
        }
        awaitFirstTransaction();
    }

    /**
     * Ready once a transaction has run in it: a service that has just started, cold and on a busy
     * machine, may not greet a client within the second pam_java.so waits, and the module would
     * then run in-process (as it should: but a test meant for the service would not test it).
     */
    private static void awaitFirstTransaction() throws IOException, InterruptedException {
        Path probe = Files.createDirectories(Path.of("target/it-work")).resolve("resident-probe");
        Path out = probe.resolve("out");
        Files.createDirectories(probe.resolve("pam.d"));
        Files.writeString(probe.resolve("pam.d/probe"), "auth required " + PAM_JAVA + " "
                + PamTestBed.MODULES.resolve("ProcessIdModule.java") + " out=" + out.toAbsolutePath() + "\n");
        String inService = "authenticate pid=" + service.pid();
        for (int i = 0; i < 20; i++) {
            Files.deleteIfExists(out);
            ProcessBuilder pb = new ProcessBuilder(PamTestBed.NATIVE.resolve("pam_host").toString(), "--confdir",
                    probe.resolve("pam.d").toAbsolutePath().toString(), "probe", "auth")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            if (PamTestBed.SANITIZE_ALL) {
                PamTestBed.sanitizerEnvironment(pb.environment(), probe.resolve("sanitizer-logs"));
            }
            Process host = pb.start();
            host.waitFor();
            if (Files.exists(out) && Files.readString(out).strip().equals(inService)) {
                return;
            }
        }
        throw new IOException("the resident service did not run a transaction: " + Files.readString(LOG));
    }

    private static boolean registered;

    /** Stops the service (as systemd would: SIGTERM) and waits for it. */
    static synchronized void stop() throws InterruptedException {
        if (service != null) {
            service.destroy();
            service.waitFor();
        }
    }

    private static void stopQuietly() {
        try {
            stop();
            Files.deleteIfExists(SOCKET);
            Files.deleteIfExists(SOCKET_DIR);
        } catch (IOException | InterruptedException e) {
            // the run is over
        }
    }
}
