package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/** Threats 2 and 3: the host keeps its signals; the JVM leaves no files and writes nothing to the host's output. */
class SignalsAndFilesTest {
    /**
     * The signals whose disposition the JVM must own, documented in pam_java(8): the synchronous
     * ones HotSpot raises itself, its suspend/resume signal, and NIO's wake-up signal (SIGRTMAX-2).
     */
    static final List<String> JVM_SIGNALS = List.of("4", "7", "8", "11", "12", "62");

    @Test
    void dispositionsAndMaskStayTheHostsAndItsSignalsReachItsThread() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("signals"), "thread", PamTestBed.PAM_JAVA);
        Run run = bed.run(Host.C, "svc", List.of("--signals"), "", "auth", "acct", "raise", "2:auth", "2:end");
        assertCodes(run, "auth", 0, "acct", 0, "2:auth", 0);
        for (String line : run.lines()) {
            if (line.startsWith("sigchanged ")) {
                List<String> changed = List.of(line.split(" ")).subList(2, line.split(" ").length);
                assertTrue(changed.equals(List.of("none")) || JVM_SIGNALS.containsAll(changed), line);
            }
            if (line.startsWith("mask ")) {
                assertTrue(line.endsWith(" same"), line);
            }
        }
        // SIGHUP SIGINT SIGQUIT SIGUSR1 SIGTERM SIGCHLD SIGALRM, each sent 50 times to the process.
        List<String> raised = run.lines().stream().filter(l -> l.startsWith("raised ")).toList();
        assertEquals(7, raised.size(), run.lines().toString());
        for (String line : raised) {
            assertTrue(line.endsWith("handled 50/50 on-main 50/50"), line);
        }
        // SIGQUIT went to the host's handler: no thread dump anywhere.
        String everything = String.join("\n", run.lines()) + run.stderr() + String.join("\n", run.syslog());
        assertFalse(everything.contains("Full thread dump"), everything);
    }

    @Test
    void theHostsLocaleIsKept() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("locale"), "thread", PamTestBed.PAM_JAVA);
        bed.hostEnvironment.put("LC_ALL", "C.UTF-8");
        Run run = bed.run(Host.C, "svc", "locale", "auth", "locale");
        assertCodes(run, "auth", 0);
        List<String> locales = run.lines().stream().filter(l -> l.startsWith("locale ")).toList();
        assertEquals(List.of("locale C", "locale C"), locales, "the host never called setlocale; Java must not either");
    }

    @Test
    void noPerfDataNoAttachSocketAndJcmdCannotAttach() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("files"), "thread", PamTestBed.PAM_JAVA);
        Path cwd = Files.createDirectories(bed.dir.resolve("cwd"));
        Path out = bed.dir.resolve("out.txt");
        Process host = new ProcessBuilder(PamTestBed.NATIVE.resolve("pam_host").toString(), "--confdir",
                bed.confdir.toString(), "svc", "auth", "files", "sleep:4000", "files")
                .directory(cwd.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        for (int i = 0; i < 200 && !Files.readString(out).contains("files "); i++) {
            Thread.sleep(50);
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process attach = new ProcessBuilder(jcmd.toString(), String.valueOf(host.pid()), "VM.version")
                .redirectErrorStream(true).start();
        String jcmdOutput = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(attach.waitFor(60, TimeUnit.SECONDS));
        assertTrue(host.waitFor(60, TimeUnit.SECONDS));
        assertFalse(jcmdOutput.contains("JDK 25") || jcmdOutput.contains("OpenJDK 64-Bit"), jcmdOutput);
        List<String> lines = Files.readAllLines(out);
        assertEquals(List.of("auth 0 Success", "files hsperfdata=no attach-socket=no",
                "files hsperfdata=no attach-socket=no", "exit"), lines);
        try (Stream<Path> left = Files.list(cwd)) {
            assertEquals(List.of(), left.toList(), "nothing written in the host's working directory");
        }
        assertFalse(Files.exists(Path.of("/tmp/hsperfdata_root", String.valueOf(host.pid()))));
    }
}
