package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where a module runs when the resident service is up (issue 16: resident by default): in the
 * service, unless the rule says {@code in_process} or pam_java.conf's {@code resident_socket} is
 * empty; either way the Java module is handed the same arguments, its path first. Real libpam,
 * the real service, the pam_java.so variant whose pam_java.conf names the service's socket.
 */
class ResidentChoiceTest {
    private static final Path WORK = Path.of("target/it-work/resident-choice").toAbsolutePath();
    private static final Path MODULE = PamTestBed.MODULES.resolve("ArgumentsModule.java");
    private long servicePid;

    @BeforeEach
    void serviceUp() throws Exception {
        ResidentFixture.pamJava();
        servicePid = ResidentFixture.process().pid();
        Files.createDirectories(WORK.resolve("pam.d"));
    }

    @AfterEach
    void configurationBack() throws Exception {
        Files.writeString(ResidentFixture.CONF, "resident_socket = " + ResidentFixture.SOCKET + "\n");
    }

    /** Runs `auth` of a service whose one rule is "auth required pam_java.so RULE_ARGS"; returns the host's output and the module's record. */
    private static List<String> authenticate(String name, String ruleArgs) throws IOException, InterruptedException {
        Path out = WORK.resolve(name + ".out");
        Files.deleteIfExists(out);
        Files.writeString(WORK.resolve("pam.d/" + name), "auth required " + ResidentFixture.PAM_JAVA + " "
                + ruleArgs.replace("OUT", "out=" + out) + "\n");
        Process host = new ProcessBuilder(PamTestBed.NATIVE.resolve("pam_host").toString(), "--confdir",
                WORK.resolve("pam.d").toString(), name, "auth").redirectErrorStream(true).start();
        String said = new String(host.getInputStream().readAllBytes()).strip();
        host.waitFor();
        return List.of(said, Files.exists(out) ? Files.readString(out).strip() : "no record");
    }

    @Test
    void aRuleSayingInProcessRunsItsModuleInTheApplicationAndAnotherInTheService() throws Exception {
        List<String> resident = authenticate("resident", MODULE + " OUT x=1");
        List<String> local = authenticate("local", "in_process " + MODULE + " OUT x=1");

        assertTrue(resident.get(0).contains("auth 0"), resident.toString());
        assertTrue(local.get(0).contains("auth 0"), local.toString());
        assertTrue(resident.get(1).startsWith("pid=" + servicePid + " "), "in the service: " + resident);
        assertTrue(local.get(1).startsWith("pid="), local.toString());
        assertNotEquals(resident.get(1).split(" ")[0], local.get(1).split(" ")[0], "in_process: in the application");
        // The option is pam_java.so's: the Java module sees the same arguments either way.
        String args = "args=" + MODULE + "|out=";
        assertTrue(resident.get(1).contains(args) && local.get(1).contains(args), resident + " " + local);
        assertTrue(local.get(1).endsWith(".out|x=1"), local.toString());
    }

    @Test
    void anEmptyResidentSocketKeepsEveryModuleInTheApplication() throws Exception {
        Files.writeString(ResidentFixture.CONF, "resident_socket =\n");
        Files.setPosixFilePermissions(ResidentFixture.CONF, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> run = authenticate("empty-socket", MODULE + " OUT");
        assertTrue(run.get(0).contains("auth 0"), run.toString());
        assertTrue(run.get(1).startsWith("pid="), run.toString());
        assertNotEquals("pid=" + servicePid, run.get(1).split(" ")[0], "resident_socket empty: in-process");
    }

    @Test
    void theOptionAloneNamesNoModule() throws Exception {
        List<String> run = authenticate("option-only", "in_process");
        assertTrue(run.get(0).contains("auth 28"), "PAM_MODULE_UNKNOWN: " + run);
        assertEquals("no record", run.get(1));
    }
}
