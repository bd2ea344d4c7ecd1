package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Issue 13, hole 4: in a JVM pam_java started, a module's System.getenv() and its child
 * processes see pam_exec's environment (a fixed PATH and the handle's PAM environment), never
 * the caller's: `PYTHONPATH=~/evil su` must not reach a module's python3 running as root. The
 * host's own environment is unchanged. Two defences: pam_java.so's `environ` while a call runs,
 * and, for processes started at any other time (a module's own thread while host code runs),
 * the runtime's rewrite of module classes, which names every child's environment.
 */
class ModuleEnvironmentTest {
    static final String FIXED_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** The PAM environment: one variable for the module, and loader and interpreter hooks that
     *  pam_env with user_readenv=1 could have taken from the user's ~/.pam_environment. */
    static final List<String> PAM_ENVIRONMENT = List.of("--env", "PAM_SEEN=by-the-module",
            "--env", "LD_PRELOAD=/home/evil/evil.so", "--env", "PYTHONPATH=/home/evil", "--env", "BASH_ENV=/home/evil/rc",
            "--env", "PATH=/home/evil/bin");

    /** Result lines "label NAME=VALUE ..." with the variables sorted (a child's order is the launcher's). */
    private static List<String> sortedVariables(List<String> lines) {
        return lines.stream().map(l -> {
            String[] words = l.split(" ");
            return words[0] + " " + String.join(" ", new java.util.TreeSet<>(List.of(words).subList(1, words.length)));
        }).toList();
    }

    private static void assertModuleSawOnlyItsOwnEnvironment(Run run) {
        assertCodes(run, "auth", 0);
        assertEquals(List.of("getenv {LC_ALL=C.UTF-8, " + FIXED_PATH.replace("PATH=", "PATH=") + "}"),
                run.results("getenv"), run.results().toString());
        assertEquals(List.of("child PAM_SEEN=by-the-module " + FIXED_PATH), sortedVariables(run.results("child")),
                "a child gets the fixed PATH and the PAM environment only: " + run.results());
        // The host's own variables, as it had them before and after the call.
        List<String> env = run.lines().stream().filter(l -> l.startsWith("env ")).toList();
        assertEquals(env.subList(0, env.size() / 2), env.subList(env.size() / 2, env.size()));
        assertTrue(env.contains("env LANG=de_DE.UTF-8"), env.toString());
    }

    @Test
    void aSetuidHostsCallerDoesNotReachTheModulesEnvironmentOrItsChildren() throws Exception {
        assumeTrue(Hardening.isRoot(), "making a setuid host needs root");
        PamTestBed bed = Hardening.hostile(Hardening.bed("environment-setuid"), "environment", PamTestBed.PAM_JAVA);
        Hardening.setuidHostRunByNobody(bed);
        bed.hostEnvironment.putAll(java.util.Map.of("PYTHONPATH", bed.dir.resolve("evil").toString(),
                "PATH", bed.dir.resolve("evil-bin") + ":/usr/bin:/bin", "LANG", "de_DE.UTF-8",
                "PERL5OPT", "-Mevil", "BASH_ENV", bed.dir.resolve("evil.sh").toString()));
        Run run = bed.run(Host.C, "svc", PAM_ENVIRONMENT, "", "env", "auth", "env");
        assertModuleSawOnlyItsOwnEnvironment(run);
    }

    @Test
    void aRootHostGivesTheSameEnvironmentToItsModules() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("environment-root"), "environment", PamTestBed.PAM_JAVA);
        bed.hostEnvironment.putAll(java.util.Map.of("PYTHONPATH", "/nonexistent/evil", "LANG", "de_DE.UTF-8"));
        Run run = bed.run(Host.C, "svc", PAM_ENVIRONMENT, "", "env", "auth", "env");
        assertModuleSawOnlyItsOwnEnvironment(run);
    }

    /**
     * The module's own thread starts processes while host code runs, where `environ` is the
     * caller's: in the conversation (the host waits for the reply, which that thread itself writes to
     * the host's stdin, a FIFO) and after the call returned. Each child gets the fixed PATH only, a
     * program named without a '/' is not looked up in the caller's PATH, and a child of the call's own
     * thread gets the PAM environment without loader and interpreter variables. The same in a Java
     * application's own JVM, whose environment (and the PATH the JDK looks programs up in) is the
     * application's: a module behaves the same in every host, and an application hands its modules'
     * children a variable through the PAM environment, as for pam_exec.
     */
    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"C", "JVM"})
    void aModulesOwnThreadStartsProcessesWhileTheHostRunsAndTheyGetTheFixedPathOnly(Host host) throws Exception {
        PamTestBed bed = Hardening.bed("environment-own-thread-" + host);
        String rule = PamTestBed.PAM_JAVA + " " + Hardening.HOSTILE;
        bed.service("svc", "auth required " + rule + " how=ownthreadspawns $OUT dir=" + bed.dir, "account required " + rule);
        if (host == Host.C) {
            assumeTrue(Hardening.isRoot(), "making a setuid host needs root");
            Hardening.setuidHostRunByNobody(bed);
        }
        Path reply = bed.dir.resolve("reply");
        if (new ProcessBuilder("mkfifo", reply.toString()).inheritIO().start().waitFor() != 0) {
            throw new java.io.IOException("cannot make the FIFO " + reply);
        }
        // The host's stdin is the FIFO, opened read-write so that reading waits for the reply.
        bed.wrapper.addAll(0, List.of("sh", "-c", "exec \"$@\" 0<>\"$0\"", reply.toString()));
        Path evilBin = Files.createDirectory(bed.dir.resolve("evil-bin"));
        Files.writeString(evilBin.resolve("env"), "#!/bin/sh\necho the-callers-env-ran\n");
        Files.setPosixFilePermissions(evilBin.resolve("env"), PosixFilePermissions.fromString("rwxr-xr-x"));
        bed.hostEnvironment.putAll(Map.of("PYTHONPATH", bed.dir.resolve("evil").toString(),
                "PATH", evilBin + ":/usr/bin:/bin", "LANG", "de_DE.UTF-8", "PERL5OPT", "-Mevil",
                "BASH_ENV", bed.dir.resolve("evil.sh").toString(), "ATTACKER", "was-here"));
        Run run = bed.run(host, "svc", List.of("--env", "PAM_SEEN=by-the-module",
                        "--env", "PYTHONPATH=" + bed.dir.resolve("evil"), "--env", "LD_LIBRARY_PATH=" + bed.dir.resolve("evil"),
                        "--env", "BASH_ENV=" + bed.dir.resolve("evil.sh"), "--env", "PATH=" + evilBin), "",
                "auth", "touch:" + bed.dir.resolve("later"), "waitfor:" + bed.dir.resolve("done"));
        assertCodes(run, "auth", 0);
        assertFalse(run.lines().contains("waitfor timeout"), run.lines().toString());
        assertEquals(List.of("in-conversation " + FIXED_PATH), run.results("in-conversation"), run.results().toString());
        assertEquals(List.of("after-call " + FIXED_PATH), run.results("after-call "), run.results().toString());
        assertEquals(List.of("after-call-by-name " + FIXED_PATH), run.results("after-call-by-name"),
                run.results().toString());
        assertEquals(List.of("in-call PAM_SEEN=by-the-module " + FIXED_PATH), run.results("in-call"),
                "the PAM environment without PYTHONPATH, LD_*, BASH_ENV and its PATH: " + run.results());
        assertEquals(List.of(), run.results("cannot"), run.results().toString());
    }
}
