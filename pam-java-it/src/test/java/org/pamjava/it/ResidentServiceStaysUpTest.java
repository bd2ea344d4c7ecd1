package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * The resident service survives what took it down or starved it (issue 14, defect 3), attacked
 * as root over its socket while it runs: many idle connections under a low descriptor limit, no
 * descriptor left at all (accept fails), no thread left (a cgroup pids limit), frames that stall
 * or claim more than they bring, and thousands of module directories. After each, a login through
 * real libpam and the service still succeeds with the right password and fails with a wrong one;
 * while an attack holds the service at its limits, the login runs in-process and works too.
 * The 200 concurrent transactions of the suite's load figure run here as well.
 */
class ResidentServiceStaysUpTest {
    private static final String MAPS = "maps";
    private final List<SocketChannel> held = new ArrayList<>();

    @AfterEach
    void releaseAndRestart() throws Exception {
        for (SocketChannel c : held) {
            c.close();
        }
        held.clear();
        if (Hardening.isRoot()) {
            ResidentFixture.stop(); // limits changed under it: the next test gets a fresh one
        }
    }

    private static boolean jvmLoaded(Run run) {
        List<String> maps = run.lines().stream().filter(l -> l.startsWith(MAPS)).toList();
        return maps.get(maps.size() - 1).contains("libjvm.so=yes");
    }

    /**
     * A login through real libpam: the right password succeeds and a wrong one fails, in the
     * service ({@code inService}) or, while it is at its limits, in-process.
     */
    private static void loginsWork(String name, boolean inService) throws Exception {
        PamTestBed bed = Hardening.hostile(PamPythonCasesTest.bed(name, Host.RESIDENT), "secret",
                ResidentFixture.PAM_JAVA);
        Run right = bed.run(Host.RESIDENT, "svc", List.of(), "Zq9-right\n", "auth", "acct", MAPS);
        assertCodes(right, "auth", 0, "acct", 0);
        Run wrong = bed.run(Host.RESIDENT, "svc", List.of(), "wrong\n", "auth", MAPS);
        assertCodes(wrong, "auth", 7); // PAM_AUTH_ERR
        assertEquals(!inService, jvmLoaded(right), (inService ? "not in the service: " : "in the service: ")
                + right.lines() + "\n" + right.syslog());
        assertEquals(!inService, jvmLoaded(wrong), wrong.lines().toString());
    }

    private static long servicePid() throws Exception {
        ResidentFixture.pamJava();
        return ResidentFixture.process().pid();
    }

    /** Sets the soft and hard open-file limits of {@code pid} (the launcher execs java: the fixture's process is the JVM). */
    private static void prlimitNofile(long pid, long soft, long hard) throws Exception {
        Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--nofile=" + soft + ":" + hard)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    private static long hardNofile(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[1]);
            }
        }
        throw new IOException("no open-file limit in /proc/" + pid + "/limits");
    }

    private static long openDescriptors(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        }
    }

    /**
     * The service's open descriptors once the count holds still: connections an earlier test
     * closed are closed by the service's threads a moment later, and a limit set at a count that
     * then drops leaves the service a descriptor to accept with.
     */
    private static long settledDescriptors(long pid) throws Exception {
        long last = -1;
        for (int i = 0; i < 100; i++) {
            long now = openDescriptors(pid);
            if (now == last) {
                return now;
            }
            last = now;
            Thread.sleep(200);
        }
        return last;
    }

    /** A connection to the service and its first frame's kind, or -1 if the service closed it first. */
    private SocketChannel connect() throws IOException {
        SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(ResidentFixture.SOCKET));
        held.add(c);
        return c;
    }

    /** The first frame's kind (HELLO: 5), its fields read too, or -1 if the service closed the connection first. */
    private static int firstFrame(SocketChannel c) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(4);
        if (!fill(c, length)) {
            return -1;
        }
        ByteBuffer frame = ByteBuffer.allocate(length.getInt(0));
        if (!fill(c, frame)) {
            throw new EOFException("inside a frame");
        }
        return frame.get(0);
    }

    /** Reads until b is full: false if the connection closed (or was reset) before its first byte. */
    private static boolean fill(SocketChannel c, ByteBuffer b) throws IOException {
        boolean empty = b.position() == 0;
        while (b.hasRemaining()) {
            int n;
            try {
                n = c.read(b);
            } catch (IOException reset) {
                n = -1;
            }
            if (n < 0) {
                if (empty && b.position() == 0) {
                    return false;
                }
                throw new EOFException("inside a frame");
            }
        }
        return true;
    }

    @Test
    void manyIdleConnectionsUnderALowDescriptorLimitAreRefusedBeyondTheLimitAndTheServiceStays() throws Exception {
        long pid = servicePid();
        prlimitNofile(pid, 1018, 1018);
        int greeted = 0;
        int refused = 0;
        for (int i = 0; i < 400; i++) {
            int kind = firstFrame(connect());
            if (kind == 5) {
                greeted++;
            } else {
                refused++;
            }
        }
        System.out.printf("nofile 1018: %d of 400 idle connections served, %d refused; service descriptors %d%n",
                greeted, refused, openDescriptors(pid));
        assertTrue(greeted > 0 && refused > 0, greeted + " served, " + refused + " refused");
        assertTrue(ResidentFixture.process().isAlive());
        loginsWork("idle-held", false); // at its limit: in-process, and it works
        for (SocketChannel c : held) {
            c.close();
        }
        held.clear();
        awaitServing();
        loginsWork("idle-after", true);
    }

    /** Until the service greets a connection again (its threads noticed the closed ones). */
    private static void awaitServing() throws Exception {
        for (int i = 0; i < 600; i++) {
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(ResidentFixture.SOCKET))) {
                if (firstFrame(c) == 5) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the service never served again: " + Files.readString(ResidentFixture.LOG));
    }

    @Test
    void withNoDescriptorLeftTheServiceRefusesAtOnceAndRecoversWhenTheyComeBack() throws Exception {
        long pid = servicePid();
        long open = settledDescriptors(pid);
        long hard = hardNofile(pid);
        prlimitNofile(pid, open, hard); // accept() fails: EMFILE (the soft limit: raising it back needs no privilege)
        for (int i = 0; i < 20; i++) {
            assertEquals(-1, firstFrame(connect()), "no descriptor: refused, not left waiting");
        }
        loginsWork("nofile-none", false);
        assertTrue(ResidentFixture.process().isAlive());
        assertTrue(Files.exists(ResidentFixture.SOCKET));
        prlimitNofile(pid, hard, hard);
        awaitServing();
        loginsWork("nofile-back", true);
        assertTrue(Files.readString(ResidentFixture.LOG).contains("cannot accept a connection"),
                Files.readString(ResidentFixture.LOG));
    }

    /**
     * The cgroup is the machine's (/sys is not in the private copy): a run killed inside the test
     * leaves its empty group behind, which the next run removes (once its processes are gone, the
     * kernel lets an empty group be removed).
     */
    private static void removeGroupsOfEndedRuns(Path pids) throws IOException {
        try (var groups = Files.list(pids)) {
            for (Path group : groups.filter(g -> g.getFileName().toString().matches("pam-java-it-[0-9]+")).toList()) {
                long owner = Long.parseLong(group.getFileName().toString().substring("pam-java-it-".length()));
                if (ProcessHandle.of(owner).isEmpty()) {
                    Files.delete(group);
                }
            }
        }
    }

    @Test
    void withNoThreadLeftTheServiceRefusesAndRecovers() throws Exception {
        Path pids = Path.of("/sys/fs/cgroup/pids");
        assumeTrue(Files.isWritable(pids.resolve("cgroup.procs")), "a writable cgroup v1 pids hierarchy is needed");
        long pid = servicePid();
        removeGroupsOfEndedRuns(pids);
        Path group = pids.resolve("pam-java-it-" + ProcessHandle.current().pid());
        Files.createDirectory(group);
        try {
            Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
            long threads;
            try (var tasks = Files.lines(group.resolve("tasks"))) {
                threads = tasks.count();
            }
            Files.writeString(group.resolve("pids.max"), Long.toString(threads + 20));
            int greeted = 0;
            int refused = 0;
            for (int i = 0; i < 60; i++) {
                if (firstFrame(connect()) == 5) {
                    greeted++;
                } else {
                    refused++;
                }
            }
            System.out.printf("pids.max %d: %d of 60 idle connections served, %d refused%n", threads + 20, greeted,
                    refused);
            assertTrue(refused > 0, greeted + " served");
            loginsWork("threads-none", false);
            assertTrue(ResidentFixture.process().isAlive());
            Files.writeString(group.resolve("pids.max"), "max");
            for (SocketChannel c : held) {
                c.close();
            }
            held.clear();
            awaitServing();
            loginsWork("threads-back", true);
        } finally {
            if (ResidentFixture.process().isAlive()) {
                Files.writeString(pids.resolve("cgroup.procs"), Long.toString(pid));
            } else {
                ResidentFixture.stop();
            }
            Files.delete(group);
        }
        assertTrue(Files.readString(ResidentFixture.LOG).contains("cannot start a thread for a connection"),
                Files.readString(ResidentFixture.LOG));
    }

    @Test
    void framesThatStallOrClaimMoreThanTheyBringCostTheServiceNothing() throws Exception {
        servicePid();
        for (int i = 0; i < 100; i++) {
            SocketChannel c = connect();
            assertEquals(5, firstFrame(c));
            // Three bytes of a length; or a length claiming the largest frame and three bytes of it.
            ByteBuffer partial = i % 2 == 0 ? ByteBuffer.wrap(new byte[] {0, 0, 0})
                    : ByteBuffer.allocate(7).putInt(1 << 20).put(new byte[] {1, 2, 3}).flip();
            c.write(partial);
        }
        loginsWork("partial-held", true);
        // The stalled frames are dropped after the stall limit: each connection is closed.
        try (Selector selector = Selector.open()) {
            for (SocketChannel c : held) {
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ);
            }
            int closed = 0;
            while (closed < held.size()) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (((SocketChannel) key.channel()).read(ByteBuffer.allocate(16)) < 0) {
                        closed++;
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
            }
        }
        assertTrue(Files.readString(ResidentFixture.LOG).contains("a frame stalled"));
        loginsWork("partial-after", true);
    }

    /** A CALL of op authenticate for a module that does not exist, in {@code moduleDir}. */
    private static ByteBuffer call(String moduleDir) {
        byte[] dir = moduleDir.getBytes(StandardCharsets.UTF_8);
        byte[] version = "1.5.3".getBytes(StandardCharsets.UTF_8);
        byte[] module = "Absent.java".getBytes(StandardCharsets.UTF_8);
        int length = 1 + 1 + 4 + 8 + 4 + dir.length + 4 + version.length + 4 + 4 + module.length;
        return ByteBuffer.allocate(4 + length).putInt(length).put((byte) 1).put((byte) 0).putInt(0).putLong(1)
                .putInt(dir.length).put(dir).putInt(version.length).put(version).putInt(1).putInt(module.length)
                .put(module).flip();
    }

    private static ByteBuffer readFrame(SocketChannel c) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(4);
        readFully(c, length);
        ByteBuffer payload = ByteBuffer.allocate(length.getInt(0));
        readFully(c, payload);
        return payload.flip();
    }

    private static void readFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                throw new EOFException();
            }
        }
    }

    @Test
    void thousandsOfModuleDirectoriesDoNotExhaustTheService() throws Exception {
        servicePid();
        SocketChannel c = connect();
        assertEquals(5, firstFrame(c));
        // Each call names another directory (a loader each, before the bound) and fails to load;
        // the service's requests (its log line through the application) get a plain success.
        ByteBuffer reply = ByteBuffer.allocate(4 + 13).putInt(13).put((byte) 2).putInt(0).putInt(-1).putInt(-1).flip();
        for (int i = 0; i < 3000; i++) {
            ByteBuffer f = call("/nonexistent/pam-java-it/" + i);
            while (f.hasRemaining()) {
                c.write(f);
            }
            while (true) {
                ByteBuffer in = readFrame(c);
                int kind = in.get();
                if (kind == 4) { // RESULT
                    assertTrue(in.getInt() != 0, "a module that does not exist never succeeds");
                    break;
                }
                ByteBuffer r = reply.duplicate();
                while (r.hasRemaining()) {
                    c.write(r);
                }
            }
        }
        loginsWork("loaders-after", true);
    }

    @Test
    void twoHundredConcurrentTransactionsThroughTheServiceWithoutAFailure() throws Exception {
        servicePid();
        int hosts = 4;
        int threadsPerHost = 50;
        // From a service just started: the module is not compiled yet when 200 first calls come
        // (ResidentService.MAX_CONCURRENT_LOADS: without it, 200 compilations at once ran the
        // service out of heap and the calls failed).
        ExecutorService pool = Executors.newFixedThreadPool(hosts);
        try {
            List<Future<Run>> runs = new ArrayList<>();
            for (int h = 0; h < hosts; h++) {
                PamTestBed bed = PamPythonCasesTest.bed("load-resident-" + h, Host.RESIDENT);
                String rule = "required " + ResidentFixture.PAM_JAVA + " " + PamTestBed.MODULES.resolve("StatelessModule.java");
                bed.service("svc", "auth " + rule, "account " + rule, "session " + rule);
                bed.timeoutSeconds = 300;
                runs.add(pool.submit(() -> bed.run(Host.RESIDENT, "svc",
                        List.of("--threads", Integer.toString(threadsPerHost), "--repeat", "5"), "",
                        "auth", "acct", "open", "close", "end", MAPS)));
            }
            for (Future<Run> f : runs) {
                Run run = f.get();
                assertTrue(run.lines().contains("nonzero 0"), run.lines() + "\n" + run.syslog());
                List<String> maps = run.lines().stream().filter(l -> l.contains(" maps ")).toList();
                assertEquals(threadsPerHost * 5, maps.size(), run.lines().toString());
                assertTrue(maps.stream().allMatch(l -> l.endsWith("libjvm.so=no")), "ran in-process: "
                        + run.syslog().stream().filter(l -> l.contains("resident")).toList());
                assertEquals(threadsPerHost, run.lines().stream().filter(l -> l.contains("stats last")).count(),
                        run.lines().toString());
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("%d hosts x %d threads x 5 transactions through the service: 0 failures%n", hosts,
                threadsPerHost);
        loginsWork("load-after", true);
    }
}
