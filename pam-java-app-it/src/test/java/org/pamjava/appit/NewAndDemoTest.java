package org.pamjava.appit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code new} makes a project that builds and passes its test with Maven on Debian 12's JDK 17
 * (the project pins JDK 25), offline, against the Maven repository of the staged installation
 * (pam_java's artifacts are hidden from the local repository); {@code new --jar} makes a jar module
 * with a dependency that runs through the real libpam once installed as {@code new} says;
 * {@code demo} runs.
 */
class NewAndDemoTest {
    /** Debian 12's JDK, the one its maven package runs on: older than the release pam_java needs. */
    static final Path DEBIAN_JDK_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

    @TempDir
    Path tmp;

    @Test
    void theSkeletonBuildsOnThePinnedJdkWhateverMavensAndItsTestCatchesABrokenModule() throws Exception {
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, "new", "--dir", tmp.toString(), "OnlyStaff");
        assertEquals(0, r.status(), r.toString());
        Path project = tmp.resolve("OnlyStaff");
        Path module = project.resolve("src/main/java/OnlyStaff.java");
        assertTrue(Files.isRegularFile(module) && Files.isRegularFile(project.resolve("src/test/java/OnlyStaffTest.java")), r.toString());
        String pom = Files.readString(project.resolve("pom.xml"));
        assertTrue(pom.contains("<artifactId>only-staff</artifactId>"), pom);
        String pinned = System.getProperty("java.home"); // dist/bin/pam-java runs on the JDK the build used, as this test
        assertTrue(pom.contains("<pam-java.jdk>" + pinned + "</pam-java.jdk>"), pom);
        // Where root accepts it (root's, 0644, in root's /etc/security), and the rule names that copy.
        assertTrue(r.lines().contains("  install -o root -g root -m 0644 " + module.toAbsolutePath().normalize() + " /etc/security/OnlyStaff.java"), r.toString());
        assertTrue(r.lines().contains("  auth required " + Dist.PAM_JAVA + " /etc/security/OnlyStaff.java allow=alice,bob"), r.toString());

        Path localRepository = localRepositoryWithoutPamJava();
        Maven passing = maven(project, localRepository, "test");
        assertEquals(0, passing.status(), "the new project's test passes with Maven on JDK 17:\n" + passing.output());
        String report = Files.readString(project.resolve("target/surefire-reports/TEST-OnlyStaffTest.xml"));
        assertTrue(report.contains("<property name=\"java.home\" value=\"" + pinned + "\"/>"), "the tests ran on the pinned JDK:\n" + report);
        assertTrue(Files.isRegularFile(localRepository.resolve("org/pamjava/pam-java-testing/" + version() + "/pam-java-testing-" + version() + ".jar")),
                "pam-java-testing came from the installation's repository");

        Files.writeString(module, Files.readString(module).replace("\"Welcome, \"", "\"Hello, \""));
        Maven failing = maven(project, localRepository, "test");
        assertNotEquals(0, failing.status(), "the test sees the module change");
        assertTrue(failing.output().contains("expected: <[Welcome, alice.]> but was: <[Hello, alice.]>"), failing.output());

        Maven noJdk = maven(project, localRepository, "-Dpam-java.jdk=" + tmp.resolve("no-jdk"), "test");
        assertNotEquals(0, noJdk.status());
        assertTrue(noJdk.output().contains("pam-java.jdk: no JDK at " + tmp.resolve("no-jdk") + ". Name a JDK 25"), noJdk.output());

        PamJavaCommand.Result again = PamJavaCommand.run(tmp, "new", "--dir", tmp.toString(), "OnlyStaff");
        assertEquals(2, again.status(), "an existing project is never overwritten: " + again);
        PamJavaCommand.Result notAJdk = PamJavaCommand.run(tmp, "new", "--dir", tmp.toString(), "--jdk", tmp.toString(), "Other");
        assertEquals(2, notAJdk.status(), notAJdk.toString());
        assertEquals("pam-java new: " + tmp + " is not a JDK (no bin/javac and bin/java); name one with --jdk", notAJdk.err().strip());
        // A JDK older than the release the project compiles for is refused before a project exists, not at its first build.
        PamJavaCommand.Result oldJdk = PamJavaCommand.run(tmp, "new", "--dir", tmp.toString(), "--jdk", DEBIAN_JDK_17.toString(), "Other");
        assertEquals(2, oldJdk.status(), oldJdk.toString());
        assertEquals("pam-java new: " + DEBIAN_JDK_17 + " is JDK 17; module projects compile for Java 25: name a JDK 25 or later with --jdk",
                oldJdk.err().strip());
        assertTrue(Files.notExists(tmp.resolve("Other")), "no project for a JDK that cannot build it");
    }

    /**
     * The jar module {@code new --jar} makes, built by Maven on JDK 17, installed by the commands
     * {@code new} prints (into this test's directory instead of /usr/local/lib and /etc/security),
     * checks a PIN with Commons Codec from its lib/ in a real transaction through libpam; a lib/
     * jar root does not own, or none, fails closed, and so does a pins file group or others could
     * read or write, or root does not own. The printed commands hold no PIN: they read it.
     */
    @Test
    void aJarModuleWithADependencyRunsThroughLibpamInstalledWhereNewSays() throws Exception {
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, "new", "--jar", "--dir", tmp.toString(), "PinCheck");
        assertEquals(0, r.status(), r.toString());
        Path project = tmp.resolve("PinCheck");
        Maven packaged = maven(project, localRepositoryWithoutPamJava(), "package");
        assertEquals(0, packaged.status(), "mvn package on JDK 17:\n" + packaged.output());
        Path jar = project.resolve("target/pin-check.jar");
        Manifest manifest;
        try (JarFile file = new JarFile(jar.toFile())) {
            manifest = file.getManifest();
        }
        assertEquals("PinCheck", manifest.getMainAttributes().getValue("Pam-Module-Class"));
        assertEquals("lib/commons-codec-1.17.1.jar", manifest.getMainAttributes().getValue("Class-Path"));
        assertEquals("17", manifest.getMainAttributes().getValue("Build-Jdk-Spec"), "Maven itself ran on JDK 17");
        assertTrue(Files.isRegularFile(project.resolve("target/lib/commons-codec-1.17.1.jar")));

        // The printed commands, run as root with the system's directories moved into the test's own.
        Path usrLocal = tmp.resolve("usr-local-lib-pam-java");
        Path etcSecurity = Files.createDirectory(tmp.resolve("etc-security"));
        List<String> commands = new ArrayList<>();
        String rule = null;
        for (String line : r.lines()) {
            String moved = line.replace("/usr/local/lib/pam-java", usrLocal.toString()).replace("/etc/security", etcSecurity.toString()).strip();
            if (line.startsWith("  install ") || line.startsWith("  (umask 077; read ") || line.startsWith("  chown root:root ")) {
                commands.add(moved);
            } else if (line.startsWith("  auth required ")) {
                rule = moved;
            }
        }
        assertEquals(5, commands.size(), r.toString());
        assertTrue(r.out().lines().noneMatch(line -> line.contains("4711")), "no PIN in a command to paste (shell history):\n" + r);
        for (String command : commands) {
            // root's shell (the PIN is read from it: alice's 4711)
            Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
            p.getOutputStream().write("4711\n".getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), command + "\n" + out);
        }
        Path installed = usrLocal.resolve("pin-check/pin-check.jar");
        Path lib = usrLocal.resolve("pin-check/lib/commons-codec-1.17.1.jar");
        assertEquals("auth required " + Dist.PAM_JAVA + " " + installed + " pins=" + etcSecurity.resolve("pin-check.pins"), rule);
        Path confdir = tmp.resolve("pam.d");
        Dist.service(confdir, "pinapp", rule);
        String dir = confdir.toString();

        PamJavaCommand.Result right = PamJavaCommand.runWithInput(tmp, "4711\n", "run", "--confdir", dir, "pinapp", "alice", "auth");
        assertEquals(List.of("PIN: ", "auth: 0 PAM_SUCCESS (Success)"), right.lines(), right.toString());
        PamJavaCommand.Result wrong = PamJavaCommand.runWithInput(tmp, "4712\n", "run", "--confdir", dir, "pinapp", "alice", "auth");
        assertEquals(List.of("PIN: ", "auth: 7 PAM_AUTH_ERR (Authentication failure)"), wrong.lines(), wrong.toString());

        // A pins file anyone but root could write (and add a PIN) or read (and find a PIN from its
        // digest), or not root's, lets nobody in, with the right PIN too.
        Path pins = etcSecurity.resolve("pin-check.pins");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pins)), "as the printed commands left it");
        for (String mode : List.of("rw--w----", "rw----r--")) {
            Files.setPosixFilePermissions(pins, PosixFilePermissions.fromString(mode));
            PamJavaCommand.Result exposed = PamJavaCommand.runWithInput(tmp, "4711\n", "run", "--confdir", dir, "pinapp", "alice", "auth");
            assertTrue(exposed.lines().getLast().startsWith("auth: 9 PAM_AUTHINFO_UNAVAIL "), exposed.toString());
            assertTrue(exposed.err().contains("refusing " + pins + ": " + pins + " is readable or writable by group or others"), exposed.toString());
        }
        Files.setPosixFilePermissions(pins, PosixFilePermissions.fromString("rw-------"));
        Files.setAttribute(pins, "unix:uid", 1001);
        PamJavaCommand.Result notRootsPins = PamJavaCommand.runWithInput(tmp, "4711\n", "run", "--confdir", dir, "pinapp", "alice", "auth");
        assertTrue(notRootsPins.lines().getLast().startsWith("auth: 9 PAM_AUTHINFO_UNAVAIL "), notRootsPins.toString());
        assertTrue(notRootsPins.err().contains("refusing " + pins + ": " + pins + " is owned by"), notRootsPins.toString());
        Files.setAttribute(pins, "unix:uid", 0);

        Files.setAttribute(lib, "unix:uid", 1001);
        PamJavaCommand.Result notRoots = PamJavaCommand.runWithInput(tmp, "4711\n", "run", "--confdir", dir, "pinapp", "alice", "auth");
        assertEquals("auth: 1 PAM_OPEN_ERR (Failed to load module)", notRoots.lines().getLast(), notRoots.toString());
        assertTrue(notRoots.err().contains(lib + " is owned by uid 1001, not root"), notRoots.toString());
        Files.setAttribute(lib, "unix:uid", 0);

        Files.delete(lib);
        Files.delete(lib.getParent());
        PamJavaCommand.Result noLib = PamJavaCommand.runWithInput(tmp, "4711\n", "run", "--confdir", dir, "pinapp", "alice", "auth");
        assertEquals("auth: 1 PAM_OPEN_ERR (Failed to load module)", noLib.lines().getLast(), noLib.toString());
        assertTrue(noLib.err().contains("refusing Class-Path entry of " + installed + " " + lib), noLib.toString());
    }

    record Maven(int status, String output) {}

    /**
     * {@code mvn -o -q -B ARGS} in {@code project} as a user of Debian 12 runs it: no JAVA_HOME,
     * {@code java} on PATH JDK 17 (Maven runs on it), with {@code localRepository}.
     */
    private static Maven maven(Path project, Path localRepository, String... args) throws Exception {
        assertTrue(Files.isExecutable(DEBIAN_JDK_17.resolve("bin/java")), "this test needs Debian 12's JDK 17 at " + DEBIAN_JDK_17);
        List<String> command = new ArrayList<>(List.of("mvn", "-o", "-q", "-B", "-Dmaven.repo.local=" + localRepository));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("MAVEN_OPTS"); // the build's options are for JDK 25's java
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().put("PATH", DEBIAN_JDK_17.resolve("bin") + ":/usr/bin:/bin");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "mvn finished");
        return new Maven(p.exitValue(), out);
    }

    /**
     * A local repository with what the build's has (Maven's plugins, JUnit, Commons Codec: links to
     * it) but pam_java's artifacts, which the project must then take from the installation's repository.
     */
    private Path localRepositoryWithoutPamJava() throws IOException {
        Path build = Path.of(System.getProperty("pamjava.mavenRepoLocal"));
        Path local = tmp.resolve("m2");
        if (Files.isDirectory(local)) {
            return local;
        }
        Files.createDirectories(local.resolve("org"));
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(build)) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().equals("org")) {
                    Files.createSymbolicLink(local.resolve(entry.getFileName().toString()), entry);
                }
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(build.resolve("org"))) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().equals("pamjava")) {
                    Files.createSymbolicLink(local.resolve("org").resolve(entry.getFileName().toString()), entry);
                }
            }
        }
        return local;
    }

    /** The version of the staged pam_java, as its Maven repository has it. */
    private static String version() throws IOException {
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(Dist.HOME.resolve("share/maven-repo/org/pamjava/pam-java-api"))) {
            return versions.iterator().next().getFileName().toString();
        }
    }

    @Test
    void theDemoRunsARealTransactionWithTheTotpModule() throws Exception {
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, "demo");
        assertEquals(0, r.status(), r.toString());
        List<String> lines = r.lines();
        assertTrue(lines.getFirst().startsWith("== PAM service ("), r.toString());
        int right = lines.indexOf(lines.stream().filter(l -> l.startsWith("== alice answers the module's prompt with the right code")).findFirst().orElseThrow());
        assertEquals(List.of("   conv 1 Verification code: ", "   auth 0 Success", "   acct 0 Success"), lines.subList(right + 1, right + 4));
        assertTrue(lines.get(right + 4).startsWith("== alice answers with a wrong code ("), r.toString());
        assertEquals(List.of("   conv 1 Verification code: ", "   auth 7 Authentication failure"), lines.subList(right + 5, lines.size()));
    }
}
