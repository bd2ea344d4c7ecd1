package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * Issue 13, hole 4: in a JVM pam_java started, a module's System.getenv() and its child
 * processes see pam_exec's environment (a fixed PATH and the handle's PAM environment), never
 * the caller's: `PYTHONPATH=~/evil su` must not reach a module's python3 running as root. The
 * host's own environment is unchanged.
 */
class ModuleEnvironmentTest {
    static final String FIXED_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** The PAM environment: one variable for the module, and loader and interpreter hooks that
     *  pam_env with user_readenv=1 could have taken from the user's ~/.pam_environment. */
    static final List<String> PAM_ENVIRONMENT = List.of("--env", "PAM_SEEN=by-the-module",
            "--env", "LD_PRELOAD=/home/evil/evil.so", "--env", "PYTHONPATH=/home/evil", "--env", "BASH_ENV=/home/evil/rc",
            "--env", "PATH=/home/evil/bin");

    private static void assertModuleSawOnlyItsOwnEnvironment(Run run) {
        assertCodes(run, "auth", 0);
        assertEquals(List.of("getenv {LC_ALL=C.UTF-8, " + FIXED_PATH.replace("PATH=", "PATH=") + "}"),
                run.results("getenv"), run.results().toString());
        assertEquals(List.of("child " + FIXED_PATH + " PAM_SEEN=by-the-module"), run.results("child"),
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
}
