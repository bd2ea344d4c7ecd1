package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Modules declaring {@code @SharedState} through the real libpam: in the application's process
 * (C host, in_process) and in the real resident service. One state per version of the module
 * file across handles, a new one for a new version with the old closed once its last handle
 * ended, a state that cannot initialise failing closed, and modules without the annotation kept
 * isolated.
 */
class SharedStateTest {
    /**
     * Tells each call's state (a random id) and how many calls that state has seen, as a
     * PAM_TEXT_INFO message "state ID N". The state's close appends ID to "closed" beside the
     * module file; its constructor fails while a file "fail" is there.
     */
    private static final String COUNTER = """
            import java.nio.file.*;
            import java.util.List;
            import java.util.concurrent.atomic.AtomicInteger;
            import org.pamjava.*;
            @SharedState(CounterModule.Calls.class)
            public class CounterModule implements PamModule {
                public static final class Calls implements ModuleState {
                    final AtomicInteger calls = new AtomicInteger();
                    final String id = java.util.UUID.randomUUID().toString();
                    public Calls() {
                        if (Files.exists(beside("fail"))) throw new IllegalStateException("the directory is down");
                    }
                    @Override public void close() {
                        try {
                            Files.writeString(beside("closed"), id + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                        } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
                    }
                    static Path beside(String name) {
                        try { return Path.of(Calls.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolveSibling(name); }
                        catch (java.net.URISyntaxException e) { throw new IllegalStateException(e); }
                    }
                }
                private final Calls calls;
                public CounterModule(Calls calls) { this.calls = calls; }
                @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                    pamh.conversation(new Message(PamConstants.PAM_TEXT_INFO, "state " + calls.id + " " + calls.calls.incrementAndGet()));
                    return PamConstants.PAM_SUCCESS;
                }
            }
            """;

    /** A state whose close never returns (after it says, beside the module, that it began). */
    private static final String HANGS_IN_CLOSE = """
            import java.nio.file.*;
            import java.util.List;
            import org.pamjava.*;
            @SharedState(HangingModule.Stuck.class)
            public class HangingModule implements PamModule {
                public static final class Stuck implements ModuleState {
                    @Override public void close() {
                        try {
                            Path here = Path.of(Stuck.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                            Files.writeString(here.resolveSibling("closing"), "began\\n");
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (Exception e) { throw new IllegalStateException(e); }
                    }
                }
                public HangingModule(Stuck state) {}
                @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return PamConstants.PAM_SUCCESS; }
            }
            """;

    /** The same count without the annotation, in a static field: isolated per handle. */
    private static final String PLAIN = """
            import java.util.List;
            import org.pamjava.*;
            public class PlainModule implements PamModule {
                static int calls;
                @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                    pamh.conversation(new Message(PamConstants.PAM_TEXT_INFO, "state plain " + ++calls));
                    return PamConstants.PAM_SUCCESS;
                }
            }
            """;

    private static PamTestBed bed(String name, Host host, String className, String source) throws IOException {
        PamTestBed bed = PamPythonCasesTest.bed(name, host);
        Path module = Files.writeString(bed.dir.resolve(className + ".java"), source);
        bed.service("svc", "auth required $PAM_JAVA " + module);
        if (host == Host.C) {
            bed.inProcess(); // in the host, even while a service serves the default socket
        }
        return bed;
    }

    /** What the module said, in order: each "ID N". */
    private static List<String[]> states(Run run) {
        return run.lines().stream().filter(l -> l.startsWith("conv 4 state ")).map(l -> l.substring(13).split(" ")).toList();
    }

    private static List<String> closed(PamTestBed bed) throws IOException {
        Path closed = bed.dir.resolve("closed");
        return Files.exists(closed) ? Files.readAllLines(closed) : List.of();
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void handlesShareTheOneStateOfTheModulesVersion(Host host) throws Exception {
        PamTestBed bed = bed("shared-" + host, host, "CounterModule", COUNTER);
        Run run = bed.run(host, "svc", List.of("--echo"), "", "auth", "end", "auth", "2:auth");
        assertCodes(run, "auth", 0, "2:auth", 0);
        List<String[]> states = states(run);
        assertEquals(3, states.size(), run.lines().toString());
        for (String[] state : states) {
            assertEquals(states.getFirst()[0], state[0], "one state for the process " + run.lines());
        }
        assertEquals(List.of("1", "2", "3"), states.stream().map(s -> s[1]).toList());
        Run later = bed.run(host, "svc", List.of("--echo"), "", "auth");
        String[] next = states(later).getFirst();
        if (host == Host.RESIDENT) {
            assertEquals(states.getFirst()[0], next[0], "one state for the whole service " + later.lines());
            assertEquals("4", next[1]);
        } else {
            assertNotEquals(states.getFirst()[0], next[0], "another process, another state");
            assertEquals("1", next[1]);
        }
        assertEquals(List.of(), closed(bed), "the file did not change");
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void aNewVersionGetsANewStateAndTheOldOneClosesWhenItsLastHandleEnds(Host host) throws Exception {
        PamTestBed bed = bed("versions-" + host, host, "CounterModule", COUNTER);
        Path sync = Files.createDirectory(bed.dir.resolve("sync"));
        // Handle 1 runs the old version and stays open while the test changes the file and
        // handle 2 loads the new one; then handle 1 ends.
        Process host1 = bed.start(host, "svc", List.of("--echo"), "", "auth",
                "touch:" + sync.resolve("first-done"), "waitfor:" + sync.resolve("changed"),
                "2:auth", "touch:" + sync.resolve("second-done"), "waitfor:" + sync.resolve("checked"),
                "end", "2:end");
        await(sync.resolve("first-done"), host1);
        Files.writeString(bed.dir.resolve("CounterModule.java"), COUNTER + "// version 2\n");
        Files.writeString(sync.resolve("changed"), "");
        await(sync.resolve("second-done"), host1);
        List<String> closedWhileOpen = closed(bed);
        Files.writeString(sync.resolve("checked"), "");
        Run run = bed.finish(host1);
        assertCodes(run, "auth", 0, "2:auth", 0);
        assertFalse(run.lines().contains("waitfor timeout"), run.lines().toString());
        List<String[]> states = states(run);
        assertEquals(2, states.size(), run.lines().toString());
        String old = states.get(0)[0];
        assertNotEquals(old, states.get(1)[0], "the new version has a new state " + run.lines());
        assertEquals("1", states.get(1)[1]);
        assertEquals(List.of(), closedWhileOpen, "a handle of the old version was still open");
        assertEquals(List.of(old), closed(bed), "closed once, when its last handle ended");
    }

    /** Waits for a host's handshake file (the host's own waits are bounded: this only follows them). */
    private static void await(Path file, Process host) throws InterruptedException {
        while (!Files.exists(file)) {
            if (!host.isAlive()) {
                fail("the host ended before " + file);
            }
            Thread.sleep(20);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void aStateThatCannotInitialiseFailsClosedAndTheNextHandleTriesAgain(Host host) throws Exception {
        PamTestBed bed = bed("init-fails-" + host, host, "CounterModule", COUNTER);
        Files.writeString(bed.dir.resolve("fail"), "");
        Run failed = bed.run(host, "svc", List.of("--echo"), "", "auth", "end", "auth");
        assertEquals(2, failed.lines().stream().filter(l -> l.startsWith("auth 3 ")).count(), failed.lines().toString());
        assertTrue(failed.syslog().stream().anyMatch(l -> l.contains("CounterModule$Calls") && l.contains("failed to initialise")
                && l.contains("the directory is down")), failed.syslog().toString());
        Files.delete(bed.dir.resolve("fail"));
        Run run = bed.run(host, "svc", List.of("--echo"), "", "auth");
        assertCodes(run, "auth", 0);
        assertEquals("1", states(run).getFirst()[1]);
    }

    @Test
    void theResidentServiceClosesTheStatesWhenItStops() throws Exception {
        PamTestBed bed = bed("service-stops", Host.RESIDENT, "CounterModule", COUNTER);
        Run run = bed.run(Host.RESIDENT, "svc", List.of("--echo"), "", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(List.of(), closed(bed));
        try {
            ResidentFixture.stop(); // SIGTERM, as systemctl stop
            assertEquals(List.of(states(run).getFirst()[0]), closed(bed));
        } finally {
            ResidentFixture.start();
        }
    }

    /**
     * In the application's process the JVM's shutdown hooks close the states: a Java
     * application's exit runs them; a C application's exit(3) runs no Java at all.
     */
    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "JVM"})
    void inTheApplicationTheStateIsClosedAtExitOnlyWhenTheJvmRunsItsShutdownHooks(Host host) throws Exception {
        PamTestBed bed = bed("exit-" + host, host, "CounterModule", COUNTER).inProcess();
        Run run = bed.run(host, "svc", List.of("--echo"), "", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(host == Host.JVM ? List.of(states(run).getFirst()[0]) : List.of(), closed(bed), run.lines().toString());
    }

    /** A close that never returns does not hold the application's exit: the hook waits a bounded time. */
    @Test
    void aJavaApplicationExitsEvenWhenAStatesCloseNeverReturns() throws Exception {
        PamTestBed bed = bed("exit-hung-close", Host.JVM, "HangingModule", HANGS_IN_CLOSE).inProcess();
        bed.timeoutSeconds = 60; // a hang is the failure: without the bound the host never exits
        Run run = bed.run(Host.JVM, "svc", List.of(), "", "auth");
        assertCodes(run, "auth", 0);
        assertEquals(List.of("began"), Files.readAllLines(bed.dir.resolve("closing")), "the close ran, and the exit went on");
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "RESIDENT"})
    void aModuleWithoutTheAnnotationKeepsEachHandleIsolated(Host host) throws Exception {
        PamTestBed bed = bed("plain-" + host, host, "PlainModule", PLAIN);
        Run run = bed.run(host, "svc", List.of("--echo"), "", "auth", "end", "auth", "2:auth");
        assertCodes(run, "auth", 0, "2:auth", 0);
        assertEquals(List.of("1", "1", "1"), states(run).stream().map(s -> s[1]).toList(), run.lines().toString());
    }
}
