package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pamjava.it.PamTestBed.Host;
import org.pamjava.it.PamTestBed.Run;

/**
 * {@code pam-java check} words the refusals of pam_java.so's C-only start-up checks (config.c's
 * cache_dir, startup.c's java_home and jvm_options) in Java twins of that C; this keeps the twins word for word:
 * for each planted set-up, the record the C host's pam_java.so writes to syslog holds exactly
 * what check says it logs. (The refusals pam_java.so's Java side makes are the same code in both,
 * and pam-java-app-it's CheckJavaModulesTest compares them with {@code pam-java run}'s log.)
 */
class CheckSaysWhatPamJavaSoLogsTest {
    /** What separates check's account of a set-up problem from the words pam_java.so logs. */
    private static final String LOGS = "; it logs: ";

    @Test
    void eachStartUpRefusalCheckReportsIsTheRecordPamJavaSoWrites() throws Exception {
        assumeTrue(Hardening.isRoot(), "pam_java.so checks its set-up only as root");
        PamTestBed bed = Hardening.hostile(Hardening.bed("check-words"), "answer", Hardening.CONF_VARIANT);
        Path open = Files.createDirectories(bed.dir.resolve("open-cache"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path elsewhere = Files.createDirectories(bed.dir.resolve("elsewhere"));
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
        Path link = Files.createSymbolicLink(bed.dir.resolve("linked-cache"), elsewhere);
        Path openParent = Files.createDirectories(bed.dir.resolve("open-parent"));
        Files.setPosixFilePermissions(openParent, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path halfJdk = Files.createDirectories(bed.dir.resolve("half-jdk/lib/server"));
        Files.writeString(halfJdk.resolve("libjvm.so"), "not a library, but there"); // lib/modules is missing
        Map<String, String> settings = new LinkedHashMap<>(); // setting -> what the record says
        settings.put("cache_dir = " + open, "refusing cache_dir " + open);
        settings.put("cache_dir = " + link, "refusing cache_dir " + link);
        settings.put("cache_dir = " + openParent.resolve("cache"), "refusing the parent of cache_dir");
        settings.put("java_home = " + halfJdk.getParent().getParent(), "is not a whole JDK");
        settings.put("jvm_options = -Xmx64m -XX:+ExitOnOutOfMemoryError", "jvm_options -XX:+ExitOnOutOfMemoryError is not accepted");
        int compared = 0;
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            Hardening.variantConfig(setting.getKey());
            String words = checkSays(bed.confdir.resolve("svc"));
            assertFalse(words.isEmpty() || !words.contains(setting.getValue()), setting + ": check says " + words);
            Run run = bed.run(Host.C, "svc", "auth");
            assertEquals(3, run.code("auth"), run.lines().toString());
            List<String> records = run.authprivLog(setting.getValue());
            assertFalse(records.isEmpty(), "pam_java.so refused " + setting + ": " + run.syslog());
            assertFalse(records.stream().noneMatch(r -> r.endsWith(": " + words) || r.endsWith(" " + words)),
                    "the record has check's words exactly:\n  check: " + words + "\n  syslog: " + records);
            compared++;
        }
        assertEquals(settings.size(), compared);
        System.out.println("CheckSaysWhatPamJavaSoLogsTest: compared " + compared + " start-up refusals word for word");
    }

    /**
     * What {@code pam-java check} says pam_java.so logs for {@code service}'s set-up, with the
     * variant's pam_java.conf bind-mounted over the installation's in a mount namespace of the
     * command's own; "" when it reports no set-up problem.
     */
    private static String checkSays(Path service) throws Exception {
        Path installed = PamTestBed.DIST.resolve("etc/security/pam_java.conf");
        ProcessBuilder pb = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"", "sh", Hardening.VARIANT_CONF.toString(),
                installed.toString(), PamTestBed.DIST.resolve("bin/pam-java").toString(), "check", service.toString());
        pb.environment().put("PAM_JAVA_JDK", System.getProperty("java.home")); // the command's own JDK, whatever java_home says
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("pam-java check did not finish");
        }
        return out.lines().filter(l -> l.startsWith(installed + ": error: ") && l.contains(LOGS))
                .map(l -> l.substring(l.indexOf(LOGS) + LOGS.length())).findFirst().orElse("");
    }
}
