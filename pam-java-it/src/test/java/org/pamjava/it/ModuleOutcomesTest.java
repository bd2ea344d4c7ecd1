package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pamjava.it.PamTestBed.assertCodes;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/** What a PAM call returns when the module fails, cannot be loaded, or is a jar; docs/architecture.md#21-the-pam-rule and #22-the-module-api-and-isolation; the table is docs/guide.md#7-what-a-pam-call-returns. */
class ModuleOutcomesTest {

    private static Run authWith(Host host, String name, String moduleAndArgs) throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed(name, host).service("svc", "auth required $PAM_JAVA " + moduleAndArgs);
        return bed.run(host, "svc", "auth");
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void anExceptionGivesServiceErrWithTheStackTraceInAuthprivSyslog(Host host) throws Exception {
        Run run = authWith(host, "throw", "$MODULES/FailingModule.java how=throw");
        assertCodes(run, "auth", 3);
        assertFalse(run.authprivLog("threw java.lang.IllegalStateException in authenticate").isEmpty(), run.syslog().toString());
        assertFalse(run.authprivLog("the module failed on purpose").isEmpty(), run.syslog().toString());
        assertFalse(run.authprivLog("FailingModule.authenticate(FailingModule.java:").isEmpty(), run.syslog().toString());
        assertTrue(run.syslog().stream().filter(l -> l.contains("pam_java(svc:auth)"))
                .allMatch(l -> l.startsWith(PamTestBed.LOG_AUTHPRIV + " ")), run.syslog().toString());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void outOfMemoryGivesBufErr(Host host) throws Exception {
        assertCodes(authWith(host, "oom", "$MODULES/FailingModule.java how=oom"), "auth", 5);
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aCodeOutsideThePamRangeGivesServiceErr(Host host) throws Exception {
        Run run = authWith(host, "code42", "$MODULES/FailingModule.java how=code42");
        assertCodes(run, "auth", 3);
        assertFalse(run.authprivLog("returned 42 from authenticate, which is not a PAM code").isEmpty(), run.syslog().toString());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void noModuleArgumentGivesModuleUnknown(Host host) throws Exception {
        Run run = authWith(host, "nomodule", "");
        assertCodes(run, "auth", 28);
        assertFalse(run.authprivLog("no Java module given").isEmpty(), run.syslog().toString());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aModuleThatCannotBeOpenedGivesOpenErr(Host host) throws Exception {
        Run missing = authWith(host, "missing", "$MODULES/NoSuchModule.java");
        assertCodes(missing, "auth", 1);
        assertFalse(missing.authprivLog("NoSuchModule.java: no such file").isEmpty(), missing.syslog().toString());

        PamTestBed bed = PamPythonCasesTest.bed("notafile", host);
        Files.createDirectories(bed.dir.resolve("Directory.java"));
        Files.writeString(bed.dir.resolve("garbage.jar"), "this is not a zip file");
        Files.writeString(bed.dir.resolve("Module.class"), "");
        bed.service("dir", "auth required $PAM_JAVA " + bed.dir.resolve("Directory.java"));
        bed.service("garbage", "auth required $PAM_JAVA " + bed.dir.resolve("garbage.jar"));
        bed.service("suffix", "auth required $PAM_JAVA " + bed.dir.resolve("Module.class"));
        assertCodes(bed.run(host, "dir", "auth"), "auth", 1);
        Run garbage = bed.run(host, "garbage", "auth");
        assertCodes(garbage, "auth", 1);
        assertFalse(garbage.authprivLog("as a jar").isEmpty(), garbage.syslog().toString());
        Run suffix = bed.run(host, "suffix", "auth");
        assertCodes(suffix, "auth", 1);
        assertFalse(suffix.authprivLog("must be a .java or .jar file").isEmpty(), suffix.syslog().toString());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aJavaFileThatDoesNotCompileGivesServiceErrWithCompilerMessages(Host host) throws Exception {
        Run run = authWith(host, "badcode", "$MODULES/BadModule.java");
        assertCodes(run, "auth", 3);
        assertFalse(run.authprivLog("BadModule.java does not compile").isEmpty(), run.syslog().toString());
        assertFalse(run.authprivLog("BadModule.java:2: ").isEmpty(), run.syslog().toString());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aRelativeModuleIsResolvedAgainstTheDirectoryOfPamJavaSo(Host host) throws Exception {
        Path pamJava = host == Host.RESIDENT ? ResidentFixture.PAM_JAVA : PamTestBed.PAM_JAVA;
        Path relative = pamJava.getParent().relativize(PamTestBed.MODULES.resolve("AbsentModule.java"));
        assertFalse(relative.isAbsolute());
        assertCodes(authWith(host, "relative", relative.toString()), "auth", 0);
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aSecondProcessLoadsTheCompiledModuleFromTheCache(Host host) throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed("cache", host);
        Path module = bed.dir.resolve("Fresh.java");
        // A source never seen before, so the first run must compile it.
        Files.writeString(module, Files.readString(PamTestBed.MODULES.resolve("AbsentModule.java"))
                .replace("public class AbsentModule", "// " + UUID.randomUUID() + "\npublic class AbsentModule"));
        bed.service("svc", "auth required $PAM_JAVA " + module);
        Run first = bed.run(host, "svc", "auth");
        Run second = bed.run(host, "svc", "auth");
        assertCodes(first, "auth", 0);
        assertCodes(second, "auth", 0);
        assertEquals(1, first.syslog().stream().filter(l -> l.contains("compiled " + module)).count(), first.syslog().toString());
        assertEquals(0, second.syslog().stream().filter(l -> l.contains("compiled ")).count(), second.syslog().toString());
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void aJarModuleNamesItsClassInTheManifestAndBringsItsClassPath(Host host) throws Exception {
        PamTestBed bed = PamPythonCasesTest.bed("jar", host);
        Path src = Files.createDirectories(bed.dir.resolve("src"));
        Path classes = Files.createDirectories(bed.dir.resolve("classes"));
        Files.writeString(src.resolve("Verdict.java"), """
                package dep;
                public class Verdict {
                    public static int of(String user) { return "alice".equals(user) ? 0 : 7; }
                }
                """);
        Files.writeString(src.resolve("JarModule.java"), """
                package mod;
                import java.util.List;
                import org.pamjava.*;
                public class JarModule implements PamModule {
                    @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                        return dep.Verdict.of(pamh.getUser());
                    }
                }
                """);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), "-cp",
                PamTestBed.DIST.resolve("share/pam-java/pam-java-api.jar").toString(),
                src.resolve("Verdict.java").toString(), src.resolve("JarModule.java").toString());
        assertEquals(0, rc);
        Files.createDirectories(bed.dir.resolve("lib"));
        jar(bed.dir.resolve("lib/dep.jar"), classes, "dep/Verdict.class", null, null);
        jar(bed.dir.resolve("module.jar"), classes, "mod/JarModule.class", "mod.JarModule", "lib/dep.jar");
        jar(bed.dir.resolve("nameless.jar"), classes, "mod/JarModule.class", null, "lib/dep.jar");
        bed.service("svc", "auth required $PAM_JAVA " + bed.dir.resolve("module.jar"));
        bed.service("nameless", "auth required $PAM_JAVA " + bed.dir.resolve("nameless.jar"));
        assertCodes(bed.run(host, "svc", List.of("--user", "alice"), "", "auth"), "auth", 0);
        assertCodes(bed.run(host, "svc", List.of("--user", "mallory"), "", "auth"), "auth", 7);
        Run nameless = bed.run(host, "nameless", List.of("--user", "alice"), "", "auth");
        assertCodes(nameless, "auth", 3);
        assertFalse(nameless.authprivLog("has no Pam-Module-Class attribute").isEmpty(), nameless.syslog().toString());
    }

    private static void jar(Path jar, Path classes, String entry, String moduleClass, String classPath)
            throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (moduleClass != null) {
            manifest.getMainAttributes().putValue("Pam-Module-Class", moduleClass);
        }
        if (classPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
            j.putNextEntry(new JarEntry(entry));
            Files.copy(classes.resolve(entry), j);
            j.closeEntry();
        }
    }
}
