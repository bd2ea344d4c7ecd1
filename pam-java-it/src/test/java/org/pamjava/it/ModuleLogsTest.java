package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;
import org.pamjava.itsupport.PrivateSystem;

/**
 * Issue 16, item 5: what a module logs in the resident service goes where it goes in-process: to
 * the application's syslog, with the application's ident, LOG_AUTHPRIV and the prefix
 * pam_java(SERVICE:TYPE) (pam_syslog(3) on the application's thread), never to the service's
 * stderr; each application gets its own records; an application whose user stopped it (SIGSTOP
 * of one's own su) holds up no other application's module or call; a burst beyond the bound is
 * cut and said so. LoggingModule logs; a real host (pamtester, writing to a /dev/log the test
 * listens on) and the C host with the syslog capture run it.
 */
class ModuleLogsTest {
    private static final Path MODULE = PamTestBed.MODULES.resolve("LoggingModule.java");
    private static final String MODULE_ARGS = " " + MODULE + " ";

    @AfterEach
    void serviceBackToNormal() throws Exception {
        if (Hardening.isRoot()) {
            ResidentFixture.pamJava();
        }
    }

    /** A syslog daemon's /dev/log: a stream socket (glibc falls back to one), a record per NUL. */
    static final class SyslogListener implements AutoCloseable {
        final Path socket;
        final List<String> records = new CopyOnWriteArrayList<>();
        private final ServerSocketChannel server;
        private final List<Thread> readers = new CopyOnWriteArrayList<>();

        SyslogListener(Path socket) throws IOException {
            this.socket = socket;
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        SocketChannel c = server.accept();
                        readers.add(Thread.ofVirtual().start(() -> read(c)));
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
        }

        private void read(SocketChannel c) {
            ByteArrayOutputStream record = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(8192);
            try (c) {
                while (c.read(b.clear()) > 0) {
                    for (int i = 0; i < b.position(); i++) {
                        byte x = b.get(i);
                        if (x == 0 || x == '\n') {
                            records.add(record.toString(StandardCharsets.UTF_8));
                            record.reset();
                        } else {
                            record.write(x);
                        }
                    }
                }
            } catch (IOException e) {
                // the process closed its syslog connection
            }
        }

        /**
         * Every record the process that wrote here sent, once it has exited: its connections end
         * then, so their readers finish; a connection still in the backlog is accepted within the
         * settle time (no new reader and no new record for 300 ms; at most 10 s in all).
         */
        List<String> drained() throws InterruptedException {
            long end = System.nanoTime() + 10_000_000_000L;
            int seen = -1;
            while (System.nanoTime() < end) {
                for (Thread t : readers) {
                    t.join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
                }
                int now = readers.size() * 100_000 + records.size();
                if (now == seen) {
                    break;
                }
                seen = now;
                Thread.sleep(300);
            }
            return List.copyOf(records);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /**
     * Runs {@code command} where /dev/log is {@code listener}'s socket: in a mount namespace of
     * its own whose /dev is an overlay (the machine's devices, a /dev/log of its own), so the
     * process's syslog(3) reaches the test as a syslog daemon would get it.
     */
    private static int withDevLog(SyslogListener listener, Path scratch, List<String> command) throws Exception {
        Path upper = Files.createDirectories(scratch.resolve("dev-upper"));
        Path work = Files.createDirectories(scratch.resolve("dev-work"));
        List<String> wrapped = new ArrayList<>(List.of("unshare", "--mount", "sh", "-c",
                "mount -t overlay -o lowerdir=/dev,upperdir=" + upper + ",workdir=" + work + " pam-java-it-dev /dev"
                        + " && touch /dev/log && mount --bind " + listener.socket + " /dev/log && exec \"$@\"", "sh"));
        wrapped.addAll(command);
        Process p = new ProcessBuilder(wrapped).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        return p.exitValue();
    }

    /** "<PRI>Mmm dd hh:mm:ss IDENT: TEXT" as glibc's syslog(3) sends it, the time left out. */
    private static final Pattern RECORD = Pattern.compile("<(\\d+)>\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d (.*)");

    /** The call's records (pam_syslog's), as "PRI IDENT: pam_java(...): TEXT", without pam_java's own lines. */
    private static List<String> moduleRecords(List<String> received) {
        List<String> records = new ArrayList<>();
        for (String r : received) {
            Matcher m = RECORD.matcher(r);
            assertTrue(m.matches(), "a syslog record: " + r);
            String rest = m.group(2);
            if (!rest.contains(": pam_java(") || rest.contains(": compiled ") || rest.contains("resident service")) {
                continue;
            }
            // The frames below the runtime's are the host's: NativeEntry in-process, the session's threads in the service.
            if (rest.matches(".*: +at (org\\.pamjava\\.(host|resident)\\.|java\\.base/).*")) {
                continue;
            }
            records.add(m.group(1) + " " + rest);
        }
        return records;
    }

    @Test
    void pamtesterLogsTheSameRecordsInProcessAndThroughTheService() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/pamtester")), "pamtester is not installed");
        assumeTrue(Hardening.isRoot(), "writing a service to /etc/pam.d needs root");
        PrivateSystem.require("write a service in /etc/pam.d");
        Path resident = ResidentFixture.pamJava();
        String service = "pam-java-logs-" + ProcessHandle.current().pid();
        Path serviceFile = Path.of("/etc/pam.d", service);
        Path scratch = Files.createTempDirectory("pam-java-devlog");
        long journalBefore = Files.size(ResidentFixture.LOG); // the service's log of this run only
        List<List<String>> records = new ArrayList<>();
        List<List<String>> received = new ArrayList<>();
        try {
            for (Path pamJava : List.of(PamTestBed.PAM_JAVA, resident)) {
                String name = pamJava.equals(resident) ? "resident" : "in-process";
                // The in-process run says so: a resident service may serve the default socket.
                Files.writeString(serviceFile, "auth required " + pamJava + (pamJava.equals(resident) ? "" : " in_process") + MODULE_ARGS + "how=chatty name=" + name
                        + "\naccount required pam_permit.so\n");
                Path run = Files.createDirectory(scratch.resolve(name));
                try (SyslogListener listener = new SyslogListener(run.resolve("log.sock"))) {
                    int exit = withDevLog(listener, run, List.of("pamtester", service, "alice", "authenticate"));
                    assertNotEquals(0, exit, "the module threw: the authentication fails");
                    List<String> all = listener.drained();
                    received.add(all);
                    records.add(moduleRecords(all));
                }
            }
        } finally {
            Files.deleteIfExists(serviceFile);
        }
        String prefix = "pamtester: pam_java(" + service + ":auth): ";
        List<String> inProcess = records.get(0);
        assertTrue(inProcess.size() >= 5, "the module's records: " + received);
        assertEquals(inProcess, records.get(1), "in-process, then through the service:\n" + received);
        // LOG_AUTHPRIV (10 << 3) with the level printed at: 6 for System.out, 3 for System.err and the trace.
        assertEquals(List.of("86 " + prefix + "hello from alice", "83 " + prefix + "part one, part two",
                "83 " + prefix + MODULE + " threw java.lang.IllegalStateException in authenticate",
                "83 " + prefix + "java.lang.IllegalStateException: refused alice"), inProcess.subList(0, 4), received.toString());
        assertTrue(inProcess.get(4).startsWith("83 " + prefix + "    at pam-java-module:" + MODULE
                + "//LoggingModule.authenticate(LoggingModule.java:"),
                inProcess.toString());
        // A thread of the module's own, and its static initialiser, are no call's: plain syslog
        // in-process, the service's journal there.
        assertTrue(received.get(0).stream().anyMatch(r -> r.endsWith(" pamtester: pam_java: in-process from a thread of its own")),
                received.get(0).toString());
        assertTrue(received.get(0).stream().anyMatch(r -> r.endsWith(" pamtester: pam_java: LoggingModule's static initialiser")),
                received.get(0).toString());
        assertTrue(received.get(1).stream().noneMatch(r -> r.contains("from a thread of its own")), received.get(1).toString());
        byte[] log = Files.readAllBytes(ResidentFixture.LOG);
        String journal = new String(log, (int) journalBefore, log.length - (int) journalBefore, StandardCharsets.UTF_8);
        assertTrue(journal.contains("pam_java resident: " + MODULE + " printed outside a call: resident from a thread of its own"),
                journal);
        assertTrue(journal.contains("pam_java resident: " + MODULE + " printed outside a call: LoggingModule's static initialiser"),
                journal);
        assertFalse(journal.contains("hello from alice"), "a call's record is not the service's: " + journal);
    }

    private static PamTestBed residentBed(String name, String args) throws IOException {
        PamTestBed bed = PamPythonCasesTest.bed(name, Host.RESIDENT);
        return bed.service("svc", "auth required $PAM_JAVA" + MODULE_ARGS + args + " $OUT",
                "account required $PAM_JAVA" + MODULE_ARGS);
    }

    /** The module's lines in the application's syslog, without the prefix. */
    private static List<String> lines(Run run, String name) {
        String prefix = PamTestBed.LOG_AUTHPRIV + " 6 pam_java(svc:auth): ";
        return run.syslog().stream().filter(l -> l.startsWith(prefix) && l.contains(" line "))
                .map(l -> l.substring(prefix.length())).filter(l -> l.startsWith(name + " ")).toList();
    }

    private static List<String> numbered(String name, int n) {
        return IntStream.range(0, n).mapToObj(i -> name + " line " + i).toList();
    }

    @Test
    void twoApplicationsCallingAtOnceEachGetTheirOwnRecordsInOrder() throws Exception {
        Path go = Files.createTempDirectory(Path.of("target/it-work"), "logs-together").toAbsolutePath().resolve("go");
        PamTestBed alpha = residentBed("logs-alpha", "how=together lines=200 name=alpha go=" + go);
        PamTestBed beta = residentBed("logs-beta", "how=together lines=200 name=beta go=" + go);
        Process a = alpha.start(Host.RESIDENT, "svc", List.of(), "", "auth");
        Process b = beta.start(Host.RESIDENT, "svc", List.of(), "", "auth");
        // Both calls are half way, in the service at once, before either goes on.
        alpha.awaitText(alpha.results, "half");
        beta.awaitText(beta.results, "half");
        Files.writeString(go, "");
        Run ra = alpha.finish(a);
        Run rb = beta.finish(b);
        assertCodes(ra, "auth", 0);
        assertCodes(rb, "auth", 0);
        assertEquals(numbered("alpha", 200), lines(ra, "alpha"), ra.syslog().toString());
        assertEquals(numbered("beta", 200), lines(rb, "beta"), rb.syslog().toString());
        assertEquals(List.of(), lines(ra, "beta"));
        assertEquals(List.of(), lines(rb, "alpha"));
    }

    /** The state letter of a process (/proc/PID/stat): T when stopped. */
    private static char state(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    private static long progress(PamTestBed bed) throws IOException {
        List<String> lines = Files.readAllLines(bed.results);
        String last = lines.get(lines.size() - 1);
        return last.startsWith("printed ") ? Long.parseLong(last.substring("printed ".length())) : -1;
    }

    @Test
    void aStoppedApplicationHoldsUpNoOtherApplicationsModuleOrCall() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target/it-work"), "logs-stopped").toAbsolutePath();
        Path go = dir.resolve("go");
        Path release = dir.resolve("release");
        PamTestBed stopped = residentBed("logs-stopped", "how=flood name=stopped go=" + go + " release=" + release);
        PamTestBed other = residentBed("logs-other", "how=paced lines=300 name=other");
        Process s = stopped.start(Host.RESIDENT, "svc", List.of(), "", "auth");
        Run rs;
        try {
            stopped.awaitText(stopped.results, "started");
            assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(s.pid())).start().waitFor());
            Files.writeString(go, "");
            // Its module prints on, far past what the socket to its stopped application holds.
            stopped.awaitText(stopped.results, "printed 20000");
            Run ro = other.run(Host.RESIDENT, "svc", "auth");
            assertCodes(ro, "auth", 0);
            assertEquals(numbered("other", 300), lines(ro, "other"), "all of the other's records, in order: " + ro.syslog());
            assertEquals('T', state(s.pid()), "the other application was served while this one was stopped");
            long before = progress(stopped);
            stopped.awaitText(stopped.results, "printed " + (before + 10_000));
            assertEquals('T', state(s.pid()), "and its own module printed on meanwhile");
        } finally {
            Files.writeString(release, "");
            new ProcessBuilder("kill", "-CONT", Long.toString(s.pid())).start().waitFor();
        }
        rs = stopped.finish(s);
        assertCodes(rs, "auth", 0);
        long printed = progress(stopped);
        assertCutAndTold(rs, "stopped", printed);
    }

    /**
     * The first records of a call that printed {@code atLeast} lines or more before its next frame:
     * the bound's worth (less the lines pam_java logged ahead of them, "compiled ..."), in order,
     * then one record with the count of the rest.
     */
    private static void assertCutAndTold(Run run, String name, long atLeast) {
        List<String> kept = lines(run, name);
        assertTrue(kept.size() > 250 && kept.size() <= 256, kept.size() + " kept: " + run.syslog());
        for (int i = 0; i < kept.size(); i++) {
            assertTrue(kept.get(i).equals(name + " line " + i) || kept.get(i).startsWith(name + " line " + i + " "),
                    "in order: " + kept);
        }
        String note = PamTestBed.LOG_AUTHPRIV + " 4 pam_java(svc:auth): ";
        List<String> told = run.syslog().stream().filter(l -> l.startsWith(note) && l.contains("more records")).toList();
        assertEquals(1, told.size(), run.syslog().toString());
        Matcher m = Pattern.compile(Pattern.quote(note) + "(\\d+) more records \\(\\d+ bytes\\) of this call were dropped:"
                + " at most 256 records or 65536 bytes wait for the application at once").matcher(told.get(0));
        assertTrue(m.matches(), told.get(0));
        assertTrue(kept.size() + Long.parseLong(m.group(1)) >= atLeast, kept.size() + " kept, " + told.get(0));
        assertEquals(told.get(0), run.syslog().get(run.syslog().size() - 1), "the note comes last");
    }

    @Test
    void aBurstBeyondTheBoundIsCutAndToldWhileLibpamCallsBetweenLinesLetAllThrough() throws Exception {
        Run burst = residentBed("logs-burst", "how=burst lines=1000 name=burst").run(Host.RESIDENT, "svc", "auth");
        assertCodes(burst, "auth", 0);
        assertCutAndTold(burst, "burst", 1000);
        List<String> told = burst.authprivLog(" more records (");
        assertEquals(1000, lines(burst, "burst").size() + Long.parseLong(told.get(0).replaceFirst(".*: (\\d+) more records.*", "$1")),
                "every line kept or counted: " + told);
        // A libpam call sends what waits ahead of its request: the bound is per stretch between frames.
        Run paced = residentBed("logs-paced", "how=paced lines=1000 name=paced").run(Host.RESIDENT, "svc", "auth");
        assertCodes(paced, "auth", 0);
        assertEquals(numbered("paced", 1000), lines(paced, "paced"), paced.syslog().toString());
        assertTrue(paced.authprivLog("more records (").isEmpty(), paced.syslog().toString());
    }
}
