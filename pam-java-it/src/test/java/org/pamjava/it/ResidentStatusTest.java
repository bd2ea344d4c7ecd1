package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * {@code pam-java status} (dist/bin/pam-java) against the real service and the real libpam: after
 * real PAM transactions through the service with a Java module (some succeeding, some failing,
 * one throwing), it reports that module's calls, failures and errors and the service's pid; and
 * its decision is what pam_java.so did, with the service up, with the socket configured but the
 * service down, with an empty resident_socket, and when asked by a user who is not root.
 */
class ResidentStatusTest {
    private static final String HEADER = "decision:        ";

    @AfterEach
    void serviceBackToNormal() throws Exception {
        if (Hardening.isRoot()) {
            Files.writeString(ResidentFixture.CONF, "resident_socket = " + ResidentFixture.SOCKET + "\n");
            ResidentFixture.pamJava();
        }
    }

    /** What pam-java status printed and its exit status. */
    record Status(int exit, String out) {
        /** The line of {@code label}, with the lines it was wrapped onto (indented under its value). */
        String line(String label) {
            return flat().lines().filter(l -> l.startsWith(label)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + label + " in\n" + out));
        }

        String flat() {
            return out.replace("\n" + " ".repeat(HEADER.length()), " ");
        }
    }

    private static Status status(List<String> wrapper, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(PamTestBed.DIST.resolve("bin/pam-java").toString(), "status", "--config",
                ResidentFixture.CONF.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).directory(Path.of("/").toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pam-java status finished");
        return new Status(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static Status status(String... options) throws IOException, InterruptedException {
        return status(List.of(), options);
    }

    /** A bed whose service "svc" runs Verdict.java, a module of its own (so counted alone), with {@code answer}. */
    private static PamTestBed bed(String name) throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed(name, Host.RESIDENT);
        Files.writeString(bed.dir.resolve("Verdict.java"), """
                import java.util.List;
                import org.pamjava.PamHandle;
                import org.pamjava.PamModule;
                /** answer=success, answer=auth_err, or answer=throw. */
                public class Verdict implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        if (args.contains("answer=throw")) throw new IllegalStateException("the module failed on purpose");
                        return args.contains("answer=auth_err") ? PamHandle.PAM_AUTH_ERR : PamHandle.PAM_SUCCESS;
                    }
                }
                """);
        return bed;
    }

    private static Run transaction(PamTestBed bed, String answer, int expected) throws Exception {
        bed.service("svc", "auth required $PAM_JAVA " + bed.dir.resolve("Verdict.java") + " answer=" + answer
                + " token=not-for-status");
        Run run = bed.run(Host.RESIDENT, "svc", "auth", "maps");
        assertCodes(run, "auth", expected);
        return run;
    }

    @Test
    void withTheServiceUpItReportsTheModulesCallsFailuresAndErrors() throws Exception {
        PamTestBed bed = bed("resident-status-up");
        for (String answer : List.of("success", "auth_err", "success", "throw", "auth_err", "success")) {
            Run run = transaction(bed, answer, switch (answer) {
                case "success" -> 0;
                case "auth_err" -> 7; // PAM_AUTH_ERR
                default -> 3; // PAM_SERVICE_ERR: the exception
            });
            assertFalse(ResidentServiceTest.jvmLoaded(run), "ran in the service: " + run.lines());
        }
        Status status = status();
        assertEquals(0, status.exit(), status.out());
        assertEquals(HEADER + "root applications run their Java modules in the resident service",
                status.line("decision:"), status.out());
        assertTrue(status.line("service:").contains("pid " + ResidentFixture.process().pid() + ","), status.out());
        String module = bed.dir.resolve("Verdict.java").toString();
        String row = status.out().lines().filter(l -> l.endsWith("  " + module)).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + module + " in\n" + status.out()));
        // calls, failures, errors, then the p50 and p99 ("212 us"), then the module
        String[] cells = row.trim().split(" +");
        assertEquals(List.of("6", "3", "1"), List.of(cells[0], cells[1], cells[2]), row);
        assertTrue(cells[4].matches("ns|us|ms|s") && cells[6].matches("ns|us|ms|s"), row);
        assertTrue(status.out().contains("ProcessIdModule.java"), "the fixture's probe module: its own row\n"
                + status.out());
        assertFalse(status.out().contains("not-for-status"), "a module's arguments are not shown\n" + status.out());

        Status json = status("--json");
        assertEquals(0, json.exit(), json.out());
        assertTrue(json.out().contains("\"decision\": \"service\""), json.out());
        assertTrue(json.out().contains("{\"module\": \"" + module + "\", \"calls\": 6, \"failures\": 3, \"errors\": 1,"),
                json.out());
    }

    /** A real transaction runs the module in-process, and pam-java status says so (exit 1), giving {@code why}. */
    private static void assertInProcessAsTheStatusSays(PamTestBed bed, String why) throws Exception {
        Run run = transaction(bed, "success", 0);
        assertTrue(ResidentServiceTest.jvmLoaded(run), "in-process: " + run.lines());
        Status status = status();
        assertEquals(1, status.exit(), status.out());
        assertEquals(HEADER + "root applications run their Java modules in-process (a JVM in each process)",
                status.line("decision:"), status.out());
        assertTrue(status.line("why:").contains(why), status.out());
    }

    @Test
    void withTheSocketConfiguredButTheServiceDownItSaysInProcessAndWhy() throws Exception {
        PamTestBed bed = bed("resident-status-down");
        ResidentFixture.stop();
        assertInProcessAsTheStatusSays(bed, "there is no socket at " + ResidentFixture.SOCKET);

        // A socket nothing listens on (a service killed before it removed its own).
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(ResidentFixture.SOCKET));
        }
        Files.setPosixFilePermissions(ResidentFixture.SOCKET, PosixFilePermissions.fromString("rw-------"));
        try {
            Status stale = status();
            assertEquals(1, stale.exit(), stale.out());
            assertTrue(stale.line("why:").contains("cannot connect to " + ResidentFixture.SOCKET), stale.out());
        } finally {
            Files.deleteIfExists(ResidentFixture.SOCKET);
        }
    }

    @Test
    void withAnEmptyResidentSocketItSaysInProcessAndWhy() throws Exception {
        PamTestBed bed = bed("resident-status-empty");
        ResidentFixture.pamJava(); // the service runs: the setting alone keeps modules in-process
        Files.writeString(ResidentFixture.CONF, "resident_socket =\n");
        assertInProcessAsTheStatusSays(bed, "resident_socket is not set (or empty) in " + ResidentFixture.CONF);
    }

    @Test
    void askedByAUserWhoIsNotRootItDecidesFromTheFilesAndSaysWhyItCannotAsk() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
        ResidentFixture.pamJava();
        Status nobody = status(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        assertEquals(4, nobody.exit(), nobody.out());
        assertTrue(nobody.line("decision:").contains("not known to this user"), nobody.out());
        assertTrue(nobody.line("why:").contains("which only root can reach"), nobody.out());
        assertFalse(nobody.out().contains("service:"), "it did not ask the service\n" + nobody.out());
    }
}
