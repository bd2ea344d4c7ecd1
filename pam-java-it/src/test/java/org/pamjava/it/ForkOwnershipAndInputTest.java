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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/** Threats 5 (fork), 6 (ownership) and 8 (bad input). */
class ForkOwnershipAndInputTest {

    @AfterEach
    void defaultConfiguration() throws Exception {
        Hardening.variantConfig("# defaults");
    }

    @Test
    void aForkedChildFailsFastAndEndsHarmlesslyWhileTheParentGoesOn() throws Exception {
        // In-process only: in the resident service a forked child gets an instance of its own there.
        PamTestBed bed = Hardening.hostile(Hardening.bed("fork"), "thread", PamTestBed.PAM_JAVA).inProcess();
        bed.timeoutSeconds = 60;
        Run run = bed.run(Host.C, "svc", "auth", "forkauth", "acct", "2:auth", "end", "2:end");
        // Decisions fail closed in the child; setcred steps aside there (sshd reinitialises
        // credentials in its session child), leaving it to the stack's other modules: here there
        // are none, and libpam turns a stack that only ignored into PAM_PERM_DENIED.
        assertCodes(run, "auth", 0, "child auth", 4, "child setcred", 6, "child end", 0, "acct", 0, "2:auth", 0);
        assertFalse(run.authprivLog("setcred: Java cannot run in a process forked after Java started").isEmpty());
        assertTrue(run.lines().contains("child exit status 0"), "not hung (SIGALRM), not crashed: " + run.lines());
        assertFalse(run.authprivLog("refusing to run Java in a process forked after Java started").isEmpty());

    }

    private static Path copyModule(Path dir) throws Exception {
        Path module = dir.resolve("AbsentModule.java");
        Files.copy(PamTestBed.MODULES.resolve("AbsentModule.java"), module);
        return module;
    }

    private static void chmod(Path p, String mode) throws Exception {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    private static void chown(Path p, String owner) throws Exception {
        assertEquals(0, new ProcessBuilder("chown", "-h", owner, p.toString()).inheritIO().start().waitFor());
    }

    private static Run authWith(PamTestBed bed, Path pamJava, Path module) throws Exception {
        bed.service("svc", "auth required " + pamJava + " " + module);
        return bed.run(Host.C, "svc", "auth");
    }

    @Test
    void asRootModulesOthersCouldWriteAreRefusedWithTheReason() throws Exception {
        assumeTrue(Hardening.isRoot(), "the ownership rules apply to root");
        PamTestBed bed = Hardening.bed("owner");
        Path good = copyModule(Files.createDirectories(bed.dir.resolve("good")));
        chmod(bed.dir, "rwxr-xr-x");
        assertCodes(authWith(bed, PamTestBed.PAM_JAVA, good), "auth", 0);

        Path openDir = Files.createDirectories(bed.dir.resolve("open"));
        chmod(openDir, "rwxrwxrwx");
        Run inOpenDir = authWith(bed, PamTestBed.PAM_JAVA, copyModule(openDir));
        assertCodes(inOpenDir, "auth", 1);
        assertFalse(inOpenDir.authprivLog(openDir + " is writable by group or others").isEmpty(), inOpenDir.syslog().toString());

        Path notRoot = copyModule(Files.createDirectories(bed.dir.resolve("notroot")));
        chown(notRoot, "65534");
        Run foreign = authWith(bed, PamTestBed.PAM_JAVA, notRoot);
        assertCodes(foreign, "auth", 1);
        assertFalse(foreign.authprivLog("is owned by uid 65534, not root").isEmpty(), foreign.syslog().toString());

        Path groupWritable = copyModule(Files.createDirectories(bed.dir.resolve("gw")));
        chmod(groupWritable, "rw-rw-r--");
        assertCodes(authWith(bed, PamTestBed.PAM_JAVA, groupWritable), "auth", 1);

        // A symlink in an open directory pointing at the good module: the path as written is not safe.
        Path link = openDir.resolve("Link.java");
        Files.createSymbolicLink(link, good);
        assertCodes(authWith(bed, PamTestBed.PAM_JAVA, link), "auth", 1);
        // A root-owned symlink in a safe directory pointing into an open one: the resolved path is not safe.
        Path safeLink = bed.dir.resolve("good/ToOpen.java");
        Files.createSymbolicLink(safeLink, openDir.resolve("AbsentModule.java"));
        assertCodes(authWith(bed, PamTestBed.PAM_JAVA, safeLink), "auth", 1);
    }

    @Test
    void asRootAConfigurationFileOthersCouldWriteIsRefused() throws Exception {
        assumeTrue(Hardening.isRoot(), "the ownership rules apply to root");
        PamTestBed bed = Hardening.bed("conf-owner");
        Path module = PamTestBed.MODULES.resolve("AbsentModule.java");
        Hardening.variantConfig("# defaults");
        assertCodes(authWith(bed, Hardening.CONF_VARIANT, module), "auth", 0);
        chmod(Hardening.VARIANT_CONF, "rw-rw-rw-");
        Run writable = authWith(bed, Hardening.CONF_VARIANT, module);
        assertCodes(writable, "auth", 3);
        assertFalse(writable.authprivLog("is writable by group or others").isEmpty(), writable.syslog().toString());
        chmod(Hardening.VARIANT_CONF, "rw-r--r--");
        chown(Hardening.VARIANT_CONF, "65534");
        try {
            Run foreign = authWith(bed, Hardening.CONF_VARIANT, module);
            assertCodes(foreign, "auth", 3);
            assertFalse(foreign.authprivLog("is not owned by root").isEmpty(), foreign.syslog().toString());
        } finally {
            chown(Hardening.VARIANT_CONF, "0");
        }
    }

    @Test
    void aBadConfigurationLineFailsClosedNamingFileAndLine() throws Exception {
        Hardening.variantConfig("timeout = 2", "colour = blue");
        Run run = authWith(Hardening.bed("conf-bad"), Hardening.CONF_VARIANT, PamTestBed.MODULES.resolve("AbsentModule.java"));
        assertCodes(run, "auth", 3);
        assertFalse(run.authprivLog(Hardening.VARIANT_CONF + ":2: unknown setting 'colour'").isEmpty(), run.syslog().toString());
    }

    @Test
    void itemsAndRepliesThatAreNotUtf8GiveAClearError() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("badbytes"), "item", PamTestBed.PAM_JAVA);
        Run item = bed.run(Host.C, "svc", List.of("--item", "tty=pts\\xff\\xfe"), "", "auth");
        assertCodes(item, "auth", 0);
        assertEquals(List.of("tty PamException 29 PAM_TTY is not valid UTF-8"), item.results("tty"));

        PamTestBed conv = Hardening.hostile(Hardening.bed("badreply"), "secret", PamTestBed.PAM_JAVA);
        conv.rawStdin = new byte[] {(byte) 0xff, 'x', '\n'};
        Run reply = conv.run(Host.C, "svc", "auth");
        assertCodes(reply, "auth", 3);
        assertFalse(reply.authprivLog("not valid UTF-8").isEmpty(), reply.syslog().toString());
    }

    @Test
    void nullAndHugeRepliesAreDefinedAnswers() throws Exception {
        PamTestBed bed = Hardening.hostile(Hardening.bed("replies"), "secret", PamTestBed.PAM_JAVA);
        // The module sees a null reply (and refuses it); a 512 KiB reply arrives whole (and is
        // wrong); one byte more fails the conversation, whether the module runs in-process or in
        // the resident service (whose frames hold 1 MiB): the module's PamException is
        // PAM_SERVICE_ERR, the handle's next call runs, and syslog says why.
        assertCodes(bed.run(Host.C, "svc", List.of("--null-replies"), "", "auth", "acct"), "auth", 7, "acct", 0);
        Run big = bed.run(Host.C, "svc", List.of("--reply-size", String.valueOf(512 * 1024)), "", "auth", "acct");
        assertCodes(big, "auth", 7, "acct", 0);
        assertEquals("", big.stderr());
        Run huge = bed.run(Host.C, "svc", List.of("--reply-size", String.valueOf(512 * 1024 + 1)), "", "auth", "acct");
        assertCodes(huge, "auth", 3, "acct", 0);
        assertEquals("", huge.stderr());
        assertTrue(huge.authprivLog("conversation replied with more than 524288 bytes").size() == 1, huge.syslog().toString());
    }

    @Test
    void aJarDependencyOthersCouldWriteIsRefused() throws Exception {
        assumeTrue(Hardening.isRoot(), "the ownership rules apply to root");
        PamTestBed bed = Hardening.bed("dep-owner");
        Path classes = bed.dir.resolve("classes");
        Hardening.compile(classes, java.util.Map.of("DepModule", """
                import java.util.List;
                import org.pamjava.*;
                public class DepModule implements PamModule {
                    public int authenticate(PamHandle h, int f, List<String> a) { return PamConstants.PAM_SUCCESS; }
                }
                """));
        Path lib = Files.createDirectories(bed.dir.resolve("lib"));
        Files.writeString(lib.resolve("dep.jar"), "");
        Path jar = bed.dir.resolve("module.jar");
        var manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Pam-Module-Class", "DepModule");
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, "lib/dep.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new java.util.jar.JarEntry("DepModule.class"));
            Files.copy(classes.resolve("DepModule.class"), out);
            out.closeEntry();
        }
        assertCodes(authWith(bed, PamTestBed.PAM_JAVA, jar), "auth", 0);
        chmod(lib.resolve("dep.jar"), "rw-rw-rw-");
        Run refused = authWith(bed, PamTestBed.PAM_JAVA, jar);
        assertCodes(refused, "auth", 1);
        assertFalse(refused.authprivLog("dep.jar is writable by group or others").isEmpty(), refused.syslog().toString());
    }

    @Test
    void emptyOrBinaryJavaFilesAreRefusedClearly() throws Exception {
        PamTestBed bed = Hardening.bed("badsource");
        Path empty = Files.writeString(bed.dir.resolve("Empty.java"), "");
        Path binary = Files.write(bed.dir.resolve("Binary.java"), new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, 10});
        Run emptyRun = authWith(bed, PamTestBed.PAM_JAVA, empty);
        assertCodes(emptyRun, "auth", 3);
        assertFalse(emptyRun.authprivLog("declares no public class implementing org.pamjava.PamModule").isEmpty());
        Run binaryRun = authWith(bed, PamTestBed.PAM_JAVA, binary);
        assertCodes(binaryRun, "auth", 3);
        assertFalse(binaryRun.authprivLog("is not UTF-8 text").isEmpty(), binaryRun.syslog().toString());
    }
}
