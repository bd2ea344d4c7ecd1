package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Java data of a PAM handle (PamHandle.getData/setData) through the real libpam: one pam_java rule's
 * module stores a value that another rule's module, another file, reads; the value's cleanup runs
 * once at pam_end with pam_end's status (PAM_DATA_SILENT included), a replaced value's with
 * PAM_DATA_REPLACE; a C module's pam_set_data under the same name (pam_cdata.so) is neither seen
 * nor touched; and a long run of handles in one process leaves nothing behind (a new handle at a
 * reused address starts empty, and pam-java status counts no handle with data in the service). From a C host (in process, or through the default service when
 * one serves the run: scripts/with-default-service.sh), a JVM host (in process), and through the
 * resident service the tests start.
 */
class HandleDataTest {
    private static final Path C_MODULE = PamTestBed.NATIVE.resolve("pam_cdata.so");
    private static final int PAM_DATA_SILENT = 0x40000000;
    private static final int PAM_DATA_REPLACE = 0x20000000;
    private static final int PAM_AUTH_ERR = 7;

    private static PamTestBed bed(String name, Host host, String writerArgs) throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed(name, host);
        bed.service("data",
                "auth    required " + C_MODULE + " $OUT",
                "auth    required $PAM_JAVA $MODULES/DataWriterModule.java " + writerArgs + " $OUT",
                "account required $PAM_JAVA $MODULES/DataReaderModule.java $OUT",
                "account required " + C_MODULE + " $OUT");
        if (host == Host.JVM) {
            bed.inProcess(); // a Java application: its own JVM is the point
        }
        return bed;
    }

    /** The results without the handle's address, which changes from run to run. */
    private static List<String> results(Run run) {
        return run.results().stream().map(l -> l.startsWith("stored pamh=") ? "stored" : l).toList();
    }

    /**
     * Whether the modules of {@code host}'s run go to a resident service: the tests' own, or for a
     * C host the default one when it serves this run (the socket the staged pam_java.conf names).
     */
    private static boolean throughService(Host host) throws IOException {
        if (host != Host.C) {
            return host == Host.RESIDENT;
        }
        for (String line : Files.readAllLines(PamTestBed.DIST.resolve("etc/security/pam_java.conf"))) {
            if (line.startsWith("resident_socket") && line.contains("=")) {
                String socket = line.substring(line.indexOf('=') + 1).strip();
                return !socket.isEmpty() && Files.exists(Path.of(socket));
            }
        }
        return false;
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void oneModuleStoresAnotherReadsAndTheCleanupSeesPamEndsStatus(Host host) throws Exception {
        PamTestBed bed = bed("data-share", host, "");
        int status = PAM_AUTH_ERR | PAM_DATA_SILENT;
        Process process = bed.start(host, "data", List.of("--user", "alice"), "", "auth", "acct", "end:" + status);
        Run run = bed.finish(process);
        assertCodes(run, "auth", 0, "acct", 0);
        String where = run.results("stored pamh=").getFirst();
        assertEquals(!throughService(host), where.endsWith(" pid=" + process.pid()),
                host + " ran the module where it should not: " + where + ", the host was " + process.pid());
        assertEquals(List.of(
                "stored",
                "read from-Java:alice",
                "cce", // the value is a String: read as an Integer, a ClassCastException
                "c-read from-C 0", // the C module's data of the same name is its own
                // pam_end cleans the handle's data newest first: the reader's instance ends (the
                // value still there), then the writer's, the last Java instance: the value's
                // cleanup with pam_end's status; then the C module's cleanup, of its own value.
                "end-read from-Java:alice",
                "cleanup from-Java:alice " + status,
                "c-cleanup from-C " + status), results(run), run.syslog().toString());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aReplacedValuesCleanupGetsDataReplace(Host host) throws Exception {
        PamTestBed bed = bed("data-replace", host, "replace");
        Run run = bed.run(host, "data", List.of("--user", "bob"), "", "auth", "acct", "end");
        assertCodes(run, "auth", 0, "acct", 0);
        assertEquals(List.of(
                "cleanup first " + (PAM_DATA_REPLACE | 0), // PAM_DATA_REPLACE | PAM_SUCCESS, as pam_set_data gives
                "stored",
                "read from-Java:bob",
                "cce",
                "c-read from-C 0",
                "end-read from-Java:bob",
                "cleanup from-Java:bob 0",
                "c-cleanup from-C 0"), results(run), run.syslog().toString());
    }

    /**
     * Many handles, one after another in one process: every value cleaned once, and no handle sees
     * one stored on an earlier handle although malloc gives them the same address (the writer
     * fails a handle that finds a value there, so a registry entry left behind fails the run).
     */
    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void manyHandlesLeaveNothingBehind(Host host) throws Exception {
        PamTestBed bed = bed("data-many", host, "");
        int handles = 150;
        Run run = bed.run(host, "data", List.of("--user", "carol", "--repeat", Integer.toString(handles)), "",
                "auth", "acct", "end");
        assertTrue(run.lines().contains("nonzero 0"), run.lines() + "\n" + run.results("stale") + run.syslog());
        assertEquals(List.of(), run.results("stale"));
        assertEquals(handles, run.results("cleanup from-Java:carol 0").size());
        assertEquals(handles, run.results("c-cleanup from-C 0").size());
        Set<String> addresses = new HashSet<>(run.results("stored pamh="));
        assertTrue(addresses.size() < handles, "no address was reused, so the test proves nothing: " + addresses.size());
        if (throughService(host)) {
            // The service, which outlives every application, holds nothing of these handles now.
            assertEquals("handle data:     0 PAM handles in progress holding Java data",
                    serviceStatusLine(host == Host.RESIDENT ? ResidentFixture.CONF
                            : PamTestBed.DIST.resolve("etc/security/pam_java.conf"), "handle data:"));
        }
    }

    /** The line of pam-java status (dist/bin/pam-java) that starts with {@code label}, for the service {@code conf} names. */
    private static String serviceStatusLine(Path conf, String label) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PamTestBed.DIST.resolve("bin/pam-java").toString(), "status", "--config",
                conf.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "pam-java status finished");
        return out.lines().filter(l -> l.startsWith(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + label + " in\n" + out));
    }
}
