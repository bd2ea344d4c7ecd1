package org.pamjava.appit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 1 of issue 18: {@code pam-java check} reports everything root's pam_java.so refuses (Java
 * modules, pam_java.conf and what it names), in the very words pam_java.so logs, which
 * {@code pam-java run} (root, the real libpam) shows on its stderr for the same rules; and it reads
 * /etc/pam.conf. Root only: the modules are judged as root judges them, and one belongs to another
 * user.
 */
class CheckJavaModulesTest {
    /** What separates a finding's account from the words pam_java.so logs. */
    private static final String LOGS = "; it logs: ";

    @TempDir
    Path tmp;
    Path modules;
    Path confdir;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(uid(Path.of("/proc/self")) == 0, "needs root: pam_java.so's checks as root, a file owned by another user");
        modules = Files.createDirectory(tmp.resolve("modules"));
        confdir = Files.createDirectory(tmp.resolve("pam.d"));
    }

    @Test
    void checkReportsEachModulePamJavaSoRefusesInTheWordsRunLogs() throws Exception {
        Path marker = tmp.resolve("module-code-ran");
        Map<String, String> planted = new LinkedHashMap<>(); // rule's module -> the start of check's account
        planted.put(source("Broken", "public class Broken implements org.pamjava.PamModule {\n    int x = ;\n}\n"),
                "pam_java.so refuses the module and the rule fails with PAM_SERVICE_ERR; it logs: " + modules.resolve("Broken.java") + " does not compile:");
        Path groupWritable = Path.of(source("GroupWritable", module("GroupWritable", "")));
        Files.setPosixFilePermissions(groupWritable, PosixFilePermissions.fromString("rw-rw-r--"));
        planted.put(groupWritable.toString(), "pam_java.so refuses the module and the rule fails with PAM_OPEN_ERR; it logs: refusing module "
                + groupWritable + ": " + groupWritable + " is writable by group or others");
        Path othersFile = Path.of(source("OthersFile", module("OthersFile", "")));
        Files.setAttribute(othersFile, "unix:uid", 1001);
        planted.put(othersFile.toString(), "pam_java.so refuses the module and the rule fails with PAM_OPEN_ERR; it logs: refusing module "
                + othersFile + ": " + othersFile + " is owned by uid 1001, not root");
        planted.put(source("NotAModule", "public class NotAModule {\n}\n"),
                "pam_java.so refuses the module and the rule fails with PAM_SERVICE_ERR; it logs: "
                        + modules.resolve("NotAModule.java") + " declares no public class implementing org.pamjava.PamModule");
        planted.put(source("NoPlainConstructor", module("NoPlainConstructor", "public NoPlainConstructor(String s) {}")),
                "pam_java.so refuses the module and the rule fails with PAM_SERVICE_ERR; it logs: NoPlainConstructor of "
                        + modules.resolve("NoPlainConstructor.java") + " has no public no-argument constructor");
        planted.put(source("Unfinished", "import java.util.List;\npublic abstract class Unfinished implements org.pamjava.PamModule {\n"
                + "    @Override public int authenticate(org.pamjava.PamHandle h, int flags, List<String> args) { return 0; }\n}\n"),
                "pam_java.so refuses the module and the rule fails with PAM_SERVICE_ERR; it logs: "
                        + modules.resolve("Unfinished.java") + " declares no public class implementing org.pamjava.PamModule");
        Path unnamed = jar("Unnamed.jar", null, null);
        planted.put(unnamed.toString(), "pam_java.so refuses the module and the rule fails with PAM_SERVICE_ERR; it logs: "
                + unnamed + " has no Pam-Module-Class attribute in its manifest");
        Path lacking = jar("LacksItsLibrary.jar", "Lacking", "lib/absent.jar");
        planted.put(lacking.toString(), "pam_java.so refuses the module and the rule fails with PAM_OPEN_ERR; it logs: refusing Class-Path entry of "
                + lacking + " " + modules.resolve("lib/absent.jar") + ": ");
        // A module pam_java.so accepts, whose class initialiser and constructor leave a mark: check runs neither.
        String accepted = source("Accepted", module("Accepted", "static { mark(); }\n    public Accepted() { mark(); }\n"
                + "    static void mark() { try { java.nio.file.Files.writeString(java.nio.file.Path.of(\"" + marker + "\"), \"ran\"); }"
                + " catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); } }"));
        // One with shared state and an annotation naming an enum constant: reading annotations by
        // reflection would initialise the enum, whose initialiser leaves the mark too.
        String acceptedShared = Files.writeString(modules.resolve("AcceptedShared.java"), """
                import java.util.List;
                import java.lang.annotation.*;
                @AcceptedShared.Tagged(AcceptedShared.Level.HIGH)
                @org.pamjava.SharedState(AcceptedShared.Pool.class)
                public class AcceptedShared implements org.pamjava.PamModule {
                    @Retention(RetentionPolicy.RUNTIME) public @interface Tagged { Level value(); }
                    public enum Level { HIGH; static { mark(); } }
                    public static class Pool implements org.pamjava.ModuleState {
                        static { mark(); }
                        public Pool() { mark(); }
                        @Override public void close() {}
                    }
                    public AcceptedShared(Pool pool) { mark(); }
                    static void mark() {
                        try { java.nio.file.Files.writeString(java.nio.file.Path.of("MARKER"), "ran"); }
                        catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
                    }
                    @Override public int authenticate(org.pamjava.PamHandle h, int flags, List<String> args) { return 0; }
                }
                """.replace("MARKER", marker.toString())).toString();

        List<String> rules = new ArrayList<>();
        for (String file : planted.keySet()) {
            rules.add("auth optional $PAM_JAVA in_process " + file);
        }
        rules.add("auth optional $PAM_JAVA in_process " + accepted);
        rules.add("auth optional $PAM_JAVA in_process " + acceptedShared);
        Path service = Dist.service(confdir, "planted", rules.toArray(String[]::new));

        PamJavaCommand.Result checked = PamJavaCommand.run(tmp, "check", service.toString());
        assertEquals(1, checked.status(), checked.toString());
        assertFalse(Files.exists(marker), "check ran none of the accepted module's code:\n" + checked);
        List<String> accounts = new ArrayList<>();
        int line = 0;
        for (String expected : planted.values()) {
            line++;
            String at = service + ":" + line + ": error: ";
            String account = finding(checked, at);
            assertTrue(account.startsWith(expected), "line " + line + ": expected " + expected + "\n" + checked);
            accounts.add(account);
        }
        assertTrue(checked.out().contains(modules.resolve("Broken.java") + ":2: "), "the compiler's message, with file and line:\n" + checked);
        assertTrue(checked.lines().stream().noneMatch(l -> l.startsWith(service + ":" + (planted.size() + 1) + ":")
                        || l.startsWith(service + ":" + (planted.size() + 2) + ":")),
                "the accepted modules have no finding:\n" + checked);
        assertEquals("1 file checked: " + planted.size() + " errors, 0 warnings", checked.lines().getLast(), checked.toString());

        // The real libpam and pam_java.so as root: each rule's syslog line, copied to run's stderr, has check's words.
        PamJavaCommand.Result ran = PamJavaCommand.run(tmp, "run", "--confdir", confdir.toString(), "planted", "alice", "auth");
        String logged = ran.err().replace("#012", "\n"); // syslog(3)'s escape of a newline inside one record
        for (String account : accounts) {
            String words = account.substring(account.indexOf(LOGS) + LOGS.length()).replace("\n    ", "\n");
            assertTrue(logged.contains(words), "run logs what check said:\n" + words + "\n" + ran);
        }
        assertTrue(Files.exists(marker), "run did run the accepted module (the mark works): " + ran);
    }

    /**
     * Whoever runs check, Java modules are judged as root's pam_java.so judges them: an
     * administrator's own account (here nobody) hears that root refuses a group-writable module,
     * though pam_java.so run by that account itself would load it.
     */
    @Test
    void checkRunByAnotherUserJudgesModulesAsRootDoes() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody reads the files
        Path groupWritable = Path.of(source("SharedWithGroup", module("SharedWithGroup", "")));
        Files.setPosixFilePermissions(groupWritable, PosixFilePermissions.fromString("rw-rw-r--"));
        Path rootsOnly = Path.of(source("RootsOnly", module("RootsOnly", "")));
        Files.setPosixFilePermissions(rootsOnly, PosixFilePermissions.fromString("rw-------"));
        Path rootsDirectory = Files.createDirectory(tmp.resolve("roots-only"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path inRootsDirectory = Files.writeString(rootsDirectory.resolve("InRootsDirectory.java"), module("InRootsDirectory", ""));
        Path service = Dist.service(confdir, "groupsvc", "auth required $PAM_JAVA " + groupWritable,
                "auth required $PAM_JAVA " + rootsOnly, "auth required $PAM_JAVA " + inRootsDirectory);
        PamJavaCommand.Result checked = PamJavaCommand.runAsNobody(tmp, "check", service.toString());
        assertEquals(1, checked.status(), checked.toString());
        // What only root can read or reach is not pam_java.so's refusal: a warning that says to ask as root.
        assertTrue(finding(checked, service + ":2: warning: ").startsWith("cannot check the module from this account ("),
                checked.toString());
        assertTrue(finding(checked, service + ":3: warning: ").startsWith("cannot check the module from this account ("),
                checked.toString());
        assertEquals("1 file checked: 1 error, 2 warnings", checked.lines().getLast(), checked.toString());
        assertEquals("pam_java.so refuses the module and the rule fails with PAM_OPEN_ERR; it logs: refusing module "
                + groupWritable + ": " + groupWritable + " is writable by group or others", finding(checked, service + ":1: error: "),
                checked.toString());
    }

    /**
     * A relative module is looked up beside pam_java.so's real file, as pam_java.so looks (the
     * realpath of where it was loaded from), not beside a symbolic link naming it.
     */
    @Test
    void checkLooksRelativeModulesUpWherePamJavaSoDoes() throws Exception {
        Path linked = Files.createDirectory(tmp.resolve("linked"));
        Path link = Files.createSymbolicLink(linked.resolve("pam_java.so"), Dist.PAM_JAVA);
        Files.writeString(linked.resolve("BesideTheLink.java"), module("BesideTheLink", ""));
        Path service = Dist.service(confdir, "linksvc", "auth required " + link + " in_process BesideTheLink.java");
        Path where = Dist.PAM_JAVA.toRealPath().getParent().resolve("BesideTheLink.java");
        PamJavaCommand.Result checked = PamJavaCommand.run(tmp, "check", service.toString());
        assertTrue(finding(checked, service + ":1: error: ").startsWith("pam_java.so module " + where + " does not exist"),
                checked.toString());
        PamJavaCommand.Result ran = PamJavaCommand.run(tmp, "run", "--confdir", confdir.toString(), "linksvc", "alice", "auth");
        assertTrue(ran.err().contains("cannot open " + where + ": no such file"), "pam_java.so looks there too:\n" + ran);
    }

    /**
     * pam_java.conf's problems stop every pam_java.so rule; check reports them on the file in the
     * words pam_java.so logs (config.c's), as run shows them, for the installation's own
     * pam_java.conf (another file bind-mounted over it, in a mount namespace of the command's own).
     */
    @Test
    void checkReportsWhatPamJavaSoRefusesOfPamJavaConfInTheWordsRunLogs() throws Exception {
        Path conf = Dist.HOME.resolve("etc/security/pam_java.conf");
        assumeTrue(Files.isRegularFile(conf), "the staged tree has its pam_java.conf");
        Path accepted = Path.of(source("Plain", module("Plain", "")));
        Path service = Dist.service(confdir, "confsvc", "auth required $PAM_JAVA in_process " + accepted);

        Path badLine = Files.writeString(tmp.resolve("bad-line.conf"), "# a relative class_path\nclass_path = lib/extra.jar\n");
        Path groupWritable = Files.writeString(tmp.resolve("group-writable.conf"), "resident_socket =\n");
        Files.setPosixFilePermissions(groupWritable, PosixFilePermissions.fromString("rw-rw-r--"));
        Path openCache = Files.createDirectory(tmp.resolve("open-cache"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(openCache, PosixFilePermissions.fromString("rwxr-xr-x")); // whatever the umask
        Path openCacheConf = Files.writeString(tmp.resolve("open-cache.conf"), "resident_socket =\ncache_dir = " + openCache + "\n");
        Map<Path, String> cases = new LinkedHashMap<>();
        cases.put(badLine, conf + ":2: class_path entries must be absolute paths");
        cases.put(groupWritable, "refusing " + conf + ": " + conf + " is writable by group or others");
        for (Map.Entry<Path, String> c : cases.entrySet()) {
            PamJavaCommand.Result checked = PamJavaCommand.runWithFileOver(c.getKey(), conf, tmp, "check", service.toString());
            assertEquals(1, checked.status(), checked.toString());
            assertEquals("pam_java.so runs no module, and every pam_java.so rule fails; it logs: " + c.getValue(),
                    finding(checked, conf + ": error: "), checked.toString());
            PamJavaCommand.Result ran = PamJavaCommand.runWithFileOver(c.getKey(), conf, tmp,
                    "run", "--confdir", confdir.toString(), "confsvc", "alice", "auth");
            assertTrue(ran.err().contains(c.getValue()), "run logs what check said: " + c.getValue() + "\n" + ran);
            assertTrue(ran.lines().getLast().startsWith("auth: ") && !ran.lines().getLast().startsWith("auth: 0 "),
                    "the rule failed: " + ran);
        }
        // run is a Java application: pam_java.so uses its JVM rather than start one, so only a host
        // that starts one (su, sshd) checks cache_dir; pam-java-it's CheckSaysWhatPamJavaSoLogsTest
        // compares these words with such a host's record.
        PamJavaCommand.Result openCacheChecked = PamJavaCommand.runWithFileOver(openCacheConf, conf, tmp, "check", service.toString());
        assertEquals("pam_java.so starts no JVM in a process, and every pam_java.so rule run in-process fails (in_process"
                + " rules, and all where the resident service is not reached); it logs: refusing cache_dir " + openCache
                + ": it must be a directory owned by root with mode 0700 (it is a directory, owner 0, mode 0755);"
                + " remove it and pam_java makes it anew", finding(openCacheChecked, conf + ": error: "), openCacheChecked.toString());

        // A class_path entry others could write is refused at each rule, as pam_java.so refuses it there.
        Path openJar = jar("Shared.jar", null, null);
        Files.setPosixFilePermissions(openJar, PosixFilePermissions.fromString("rw-rw-r--"));
        Path classPathConf = Files.writeString(tmp.resolve("class-path.conf"), "resident_socket =\nclass_path = " + openJar + "\n");
        String refusal = "refusing class_path entry " + openJar + ": " + openJar + " is writable by group or others";
        PamJavaCommand.Result classPathChecked = PamJavaCommand.runWithFileOver(classPathConf, conf, tmp, "check", service.toString());
        assertEquals("pam_java.so refuses the module and the rule fails with PAM_OPEN_ERR; it logs: " + refusal,
                finding(classPathChecked, service + ":1: error: "), classPathChecked.toString());
        PamJavaCommand.Result classPathRan = PamJavaCommand.runWithFileOver(classPathConf, conf, tmp,
                "run", "--confdir", confdir.toString(), "confsvc", "alice", "auth");
        assertTrue(classPathRan.err().contains(refusal), "run logs what check said:\n" + classPathRan);

        PamJavaCommand.Result clean = PamJavaCommand.run(tmp, "check", service.toString());
        assertEquals("1 file checked: 0 errors, 0 warnings", clean.lines().getLast(), "the installation's own is fine:\n" + clean);
    }

    /**
     * A file named pam.conf is read in pam.conf's form (the service first on each line), with
     * pam_java's checks too; checking the system's configuration says when libpam ignores an
     * /etc/pam.conf that has rules (it reads it only without an /etc/pam.d directory).
     */
    @Test
    void checkReadsPamConfAndSaysWhenLibpamIgnoresIt() throws Exception {
        String broken = source("Broken", "public class Broken implements org.pamjava.PamModule {\n    int x = ;\n}\n");
        Path etc = Files.createDirectory(tmp.resolve("etc"));
        Path pamConf = Files.writeString(etc.resolve("pam.conf"), String.join("\n",
                "# service type control module",
                "webapp auth required pam_permit.so",
                "webapp auth requried pam_permit.so",
                "other  auth required pam_nonexistent.so",
                "javaapp auth required " + Dist.PAM_JAVA + " in_process " + broken, ""));
        PamJavaCommand.Result checked = PamJavaCommand.run(tmp, "check", pamConf.toString());
        assertEquals(1, checked.status(), checked.toString());
        assertTrue(finding(checked, pamConf + ":3: error: ").startsWith("unknown control 'requried'"), checked.toString());
        assertTrue(finding(checked, pamConf + ":4: error: ").startsWith("module /lib/x86_64-linux-gnu/security/pam_nonexistent.so does not exist"),
                checked.toString());
        assertTrue(finding(checked, pamConf + ":5: error: ").startsWith("pam_java.so refuses the module and the rule fails with"
                + " PAM_SERVICE_ERR; it logs: " + broken + " does not compile:"), checked.toString());
        assertEquals("1 file checked: 3 errors, 0 warnings", checked.lines().getLast(), checked.toString());

        Path systemPamConf = Path.of("/etc/pam.conf");
        assumeTrue(Files.isRegularFile(systemPamConf) && Files.isDirectory(Path.of("/etc/pam.d")),
                "an /etc/pam.conf beside /etc/pam.d, as Debian installs it");
        PamJavaCommand.Result system = PamJavaCommand.runWithFileOver(pamConf, systemPamConf, tmp, "check");
        assertTrue(system.lines().contains("/etc/pam.conf: warning: libpam ignores this file's rules: it reads /etc/pam.conf"
                + " only when /etc/pam.d is not a directory, and it is one"), system.toString());
        PamJavaCommand.Result asShipped = PamJavaCommand.run(tmp, "check");
        assertTrue(asShipped.lines().stream().noneMatch(l -> l.startsWith("/etc/pam.conf:")) || hasRules(systemPamConf),
                "no warning for a pam.conf of comments only:\n" + asShipped);
    }

    /** The account of the finding that starts with {@code at}, continuation lines included; "" when none. */
    private static String finding(PamJavaCommand.Result r, String at) {
        List<String> lines = r.lines();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(at)) {
                StringBuilder account = new StringBuilder(lines.get(i).substring(at.length()));
                for (int j = i + 1; j < lines.size() && lines.get(j).startsWith("    "); j++) {
                    account.append('\n').append(lines.get(j));
                }
                return account.toString();
            }
        }
        return "";
    }

    private static boolean hasRules(Path pamConf) throws IOException {
        return Files.readAllLines(pamConf).stream().map(String::strip).anyMatch(l -> !l.isEmpty() && !l.startsWith("#"));
    }

    private static String module(String name, String members) {
        return "import java.util.List;\npublic class " + name + " implements org.pamjava.PamModule {\n    " + members + "\n"
                + "    @Override public int authenticate(org.pamjava.PamHandle h, int flags, List<String> args) { return 0; }\n}\n";
    }

    private String source(String name, String text) throws IOException {
        return Files.writeString(modules.resolve(name + ".java"), text).toString();
    }

    /** A jar with a manifest naming {@code moduleClass} (none: null) and {@code classPath}, and no classes. */
    private Path jar(String name, String moduleClass, String classPath) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (moduleClass != null) {
            manifest.getMainAttributes().putValue("Pam-Module-Class", moduleClass);
        }
        if (classPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        Path jar = modules.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // the manifest is all
        }
        return jar;
    }

    private static int uid(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid");
    }
}
