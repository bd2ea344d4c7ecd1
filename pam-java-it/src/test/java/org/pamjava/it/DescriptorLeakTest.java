package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Issue 13, hole 11: what the JVM and module code open (lib/modules, pam_java's jars, a module's
 * files, pipes and sockets) must not reach the program the host executes after PAM, the user's
 * shell; what the host itself had open without close-on-exec before must.
 */
class DescriptorLeakTest {
    private static final Path MODULE = PamTestBed.MODULES.resolve("OpenDescriptorsModule.java");

    /** The descriptors in the output of {@code ls -l /proc/self/fd}: number to target. */
    static Map<Integer, String> descriptors(List<String> lsOutput) {
        Map<Integer, String> fds = new TreeMap<>();
        for (String line : lsOutput) {
            int arrow = line.indexOf(" -> ");
            if (arrow > 0) {
                String before = line.substring(0, arrow);
                fds.put(Integer.parseInt(before.substring(before.lastIndexOf(' ') + 1)), line.substring(arrow + 4));
            }
        }
        return fds;
    }

    /** What a program inherited beyond standard input, output and error (and ls's own listing). */
    private static Map<Integer, String> inherited(List<String> lsOutput) {
        Map<Integer, String> fds = descriptors(lsOutput);
        fds.keySet().removeIf(fd -> fd <= 2);
        fds.values().removeIf(target -> target.startsWith("/proc/"));
        return fds;
    }

    private static PamTestBed bed(String name, Path pamJava) throws Exception {
        PamTestBed bed = Hardening.bed(name);
        bed.pamJava = pamJava;
        Files.writeString(bed.dir.resolve("kept.txt"), "what the module reads\n");
        Files.writeString(bed.dir.resolve("held.txt"), "the host's own\n");
        return bed;
    }

    private static String stack(PamTestBed bed) {
        String rule = bed.pamJava + " " + MODULE + " keep=" + bed.dir.resolve("kept.txt");
        return "auth required " + rule + "\naccount required " + rule + "\nsession required pam_permit.so\n";
    }

    @Test
    void nothingJavaOpenedSurvivesTheHostsExecButWhatTheHostHadOpenDoes() throws Exception {
        PamTestBed bed = bed("descriptors", PamTestBed.PAM_JAVA);
        Files.writeString(bed.confdir.resolve("svc"), stack(bed));
        Path held = bed.dir.resolve("held.txt");
        // The first authenticate creates the JVM; acct closes a file and opens it again (the same
        // number, usually); the second handle's authenticate runs on the warm JVM.
        Run run = bed.run(Host.C, "svc", List.of("--hold", held.toString()), "",
                "auth", "acct", "end", "auth", "exec", "/bin/ls", "-l", "/proc/self/fd");
        assertCodes(run, "auth", 0, "acct", 0, "end", 0);
        int heldFd = Integer.parseInt(run.lines().get(0).substring("hold ".length()));
        assertEquals(Map.of(heldFd, held.toString()), inherited(run.lines()),
                "the program the host ran inherited only the host's own descriptor: " + run.lines());
    }

    @Test
    void onAKernelWithoutCloseRangeCloexecTheDescriptorsAreListedInstead() throws Exception {
        PamTestBed bed = bed("descriptors-old-kernel", PamTestBed.PAM_JAVA);
        Files.writeString(bed.confdir.resolve("svc"), stack(bed));
        bed.inProcess(); // what the host's JVM leaves open: in-process only
        Path held = bed.dir.resolve("held.txt");
        bed.hostEnvironment.put("LD_PRELOAD", PamTestBed.NATIVE.resolve("syslog_capture.so") + ":"
                + PamTestBed.NATIVE.resolve("old_kernel.so"));
        Run run = bed.run(Host.C, "svc", List.of("--hold", held.toString()), "",
                "auth", "acct", "end", "auth", "exec", "/bin/ls", "-l", "/proc/self/fd");
        assertCodes(run, "auth", 0, "acct", 0, "end", 0);
        assertEquals(1, run.authprivLog("lists /proc/self/fd after each call instead").size(), run.syslog().toString());
        int heldFd = Integer.parseInt(run.lines().get(0).substring("hold ".length()));
        assertEquals(Map.of(heldFd, held.toString()), inherited(run.lines()),
                "the program the host ran inherited only the host's own descriptor: " + run.lines());
    }

    @Test
    void withoutProcTheHostsDescriptorsAreFoundByTryingEachNumber() throws Exception {
        PrivateNamespace.assumeAvailable(false);
        PamTestBed bed = bed("descriptors-no-proc", PamTestBed.PAM_JAVA);
        Files.writeString(bed.confdir.resolve("svc"), stack(bed));
        bed.inProcess(); // what the host's JVM leaves open: in-process only
        Path held = bed.dir.resolve("held.txt");
        // /proc is gone (in the namespace only; every proc mount, as the suite's private system
        // mounts one of its own over the machine's) while PAM runs; the program the host executes
        // mounts it again to list what it inherited.
        String host = Stream.of(PamTestBed.NATIVE.resolve("pam_host").toString(), "--confdir", bed.confdir.toString(),
                "--hold", held.toString(), "svc", "auth", "acct", "end", "auth", "exec", "/bin/sh", "-c",
                "mount -t proc proc /proc && exec ls -l /proc/self/fd").map(PrivateNamespace::quote)
                .collect(Collectors.joining(" "));
        PrivateNamespace.Outcome run = PrivateNamespace.run(bed, Map.of(), false, "while umount -l /proc 2>/dev/null; do :; done; test ! -e /proc/self/fd && LD_PRELOAD="
                + PamTestBed.NATIVE.resolve("syslog_capture.so") + " PAM_JAVA_TEST_SYSLOG=" + bed.syslog + " " + host);
        assertEquals(0, run.exitCode(), run.lines() + "\n" + run.log());
        assertTrue(Files.readString(bed.syslog).contains("cannot list /proc/self/fd"), Files.readString(bed.syslog));
        int heldFd = Integer.parseInt(run.value("hold"));
        assertEquals(Map.of(heldFd, held.toString()), inherited(run.lines()),
                "the program the host ran inherited only the host's own descriptor: " + run.lines());
    }

    @Test
    void whatAModulesOwnThreadOpensAfterTheCallDoesNotReachTheExecOfAForkedChild() throws Exception {
        PamTestBed bed = bed("descriptors-later", PamTestBed.PAM_JAVA);
        Path later = Files.createDirectory(bed.dir.resolve("later"));
        bed.service("svc", "auth required $PAM_JAVA " + MODULE + " keep=" + bed.dir.resolve("kept.txt") + " later=" + later);
        Path held = bed.dir.resolve("held.txt");
        // After authenticate has returned, the module's thread opens later/go (no call follows);
        // then the host forks and the child executes ls, as su does with the shell.
        Run run = bed.run(Host.C, "svc", List.of("--hold", held.toString()), "", "auth",
                "touch:" + later.resolve("go"), "waitfor:" + later.resolve("opened"),
                "forkexec", "/bin/ls", "-l", "/proc/self/fd");
        assertCodes(run, "auth", 0, "forkexec", 0);
        assertFalse(run.lines().contains("waitfor timeout"), run.lines().toString());
        int heldFd = Integer.parseInt(run.lines().get(0).substring("hold ".length()));
        assertEquals(Map.of(heldFd, held.toString()), inherited(run.lines()),
                "the child's program inherited only the host's own descriptor: " + run.lines());
    }

    @Test
    void aNumberTheHostClosedAndJavaReusedIsNotTheHostsAnyMore() throws Exception {
        PamTestBed bed = bed("descriptors-reused", PamTestBed.PAM_JAVA);
        Files.writeString(bed.confdir.resolve("svc"), stack(bed));
        // The host's descriptor (from before Java started) is closed between two handles; the
        // second authenticate's opens then get its number (the lowest free one) first.
        Run run = bed.run(Host.C, "svc", List.of("--hold", bed.dir.resolve("held.txt").toString()), "",
                "auth", "end", "unhold", "auth", "exec", "/bin/ls", "-l", "/proc/self/fd");
        assertCodes(run, "auth", 0, "end", 0);
        assertEquals(Map.of(), inherited(run.lines()), "the program inherited none of Java's: " + run.lines());
    }

    @Test
    void theShellSuStartsGetsOnlyTheDescriptorsSuWasGiven() throws Exception {
        PrivateNamespace.assumeAvailable(true);
        PamTestBed bed = bed("descriptors-su", PamTestBed.PAM_JAVA);
        Path held = bed.dir.resolve("held.txt");
        // An ordinary user's su (setuid, so Java runs in it) with descriptor 7 open, to their own account.
        PrivateNamespace.Outcome su = PrivateNamespace.run(bed, Map.of("su", stack(bed)), false,
                "exec 7< " + PrivateNamespace.quote(held.toString()) + "; "
                        + PrivateNamespace.su(PrivateNamespace.USER, "ls -l /proc/self/fd"));
        assertEquals(0, su.exitCode(), su.lines() + "\n" + su.log());
        assertEquals(Map.of(7, held.toString()), inherited(su.lines()),
                "the user's shell inherited only su's descriptor 7: " + su.lines());
    }

    @Test
    void theConnectionToTheResidentServiceDoesNotSurviveTheHostsExec() throws Exception {
        PrivateNamespace.assumeAvailable(false);
        PamTestBed bed = Hardening.bed("descriptors-resident");
        bed.service("svc", "auth required " + ResidentFixture.PAM_JAVA + " $MODULES/ProcessIdModule.java $OUT");
        // No pam_end before the exec: the handle's connection to the service is still open then.
        String host = Stream.of(PamTestBed.NATIVE.resolve("pam_host").toString(), "--confdir", bed.confdir.toString(),
                "svc", "auth", "exec", "/bin/ls", "-l", "/proc/self/fd").map(PrivateNamespace::quote)
                .collect(Collectors.joining(" "));
        PrivateNamespace.Outcome run = PrivateNamespace.run(bed, Map.of(), true, host);
        assertEquals(0, run.exitCode(), run.lines() + "\n" + run.log());
        assertEquals(List.of("authenticate pid=" + run.servicePid()), Files.readAllLines(bed.results),
                "the module ran in the service, over a connection: " + run.lines());
        assertEquals(Map.of(), inherited(run.lines()), "nothing but standard input, output and error: " + run.lines());
    }
}
