package org.pamjava.appit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pam-java check} finds mistakes planted in sample configurations, each at its file and line. */
class CheckTest {
    @TempDir
    Path tmp;

    @Test
    void findsEveryPlantedMistakeAtItsLine() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("pam.d"));
        Dist.service(dir, "login",
                "# planted mistakes, one per line",                      // 1
                "atuh     required   pam_permit.so",                    // 2
                "auth     requried   pam_permit.so",                    // 3
                "auth     [succes=ok default=bad]  pam_permit.so",      // 4
                "auth     [success=9 default=ignore]  pam_permit.so",   // 5
                "auth     required   pam_debug.so auth=perm_deny",      // 6
                "auth     sufficient pam_permit.so",                    // 7
                "auth     required   pam_nonexistent.so",               // 8
                "-auth    optional   pam_maybe_absent.so",              // 9: fine
                "account  requisite  pam_deny.so",                      // 10
                "account  required   pam_permit.so",                    // 11
                "session  include    common-nothere",                   // 12
                "password substack   loop-a",                           // 13
                "session  required   pam_permit.so",                    // 14
                "session  required   pam_permit.so",                    // 15
                "account  [success=okay default=bad] pam_permit.so");    // 16
        Dist.service(dir, "loop-a", "password include loop-b");
        Dist.service(dir, "loop-b", "password include loop-a");
        Dist.service(dir, "javasvc", "auth required $PAM_JAVA Missing.java", "auth required $PAM_JAVA",
                "auth required $PAM_JAVA $MODULES/PasswordModule.txt", "auth required $PAM_JAVA $MODULES/PasswordModule.java");
        Files.setPosixFilePermissions(dir.resolve("javasvc"), PosixFilePermissions.fromString("rw-rw-rw-"));

        PamJavaCommand.Result r = PamJavaCommand.run(tmp, "check", dir.toString());
        assertEquals(1, r.status(), r.toString());
        String login = dir.resolve("login") + ":";
        List<String> expected = List.of(
                login + "2: error: unknown rule type 'atuh'",
                login + "3: error: unknown control 'requried'",
                login + "4: error: unknown return value 'succes' in [succes=ok default=bad] (did you mean 'success'?)",
                login + "5: error: jumps 9 rules, past the end of the auth stack of service login (4 rules follow)",
                login + "6: warning: pam_debug.so argument auth=perm_deny: 'perm_deny' is not a return value name",
                login + "7: warning: sufficient after the required rule at login:6",
                login + "8: error: module /lib/x86_64-linux-gnu/security/pam_nonexistent.so does not exist",
                login + "11: warning: never runs: the requisite pam_deny.so at login:10",
                login + "12: error: cannot open the included file common-nothere",
                login + "15: warning: repeats the rule at login:14",
                login + "16: error: unknown action 'okay' for success",
                dir.resolve("loop-b") + ":1: error: include loop loop-a -> loop-b -> loop-a",
                dir.resolve("javasvc") + ": warning: writable by group or others",
                dir.resolve("javasvc") + ":1: error: pam_java.so module " + Dist.PAM_JAVA.getParent().resolve("Missing.java") + " does not exist",
                dir.resolve("javasvc") + ":2: error: pam_java.so needs a Java module argument",
                dir.resolve("javasvc") + ":3: error: pam_java.so module " + Dist.MODULES.resolve("PasswordModule.txt") + " is neither a .java nor a .jar file");
        for (String finding : expected) {
            assertTrue(r.lines().stream().anyMatch(l -> l.startsWith(finding)), "missing: " + finding + "\n" + r);
        }
        assertEquals(expected.size(), r.lines().size() - 1, "nothing else is reported:\n" + r);
        assertEquals("4 files checked: 11 errors, 5 warnings", r.lines().getLast(), r.toString());
    }

    @Test
    void aCleanConfigurationPassesAndASingleFileCanBeChecked() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("clean"));
        Dist.service(dir, "common-auth", "auth [success=1 default=ignore] pam_debug.so auth=success",
                "auth requisite pam_deny.so", "auth required pam_permit.so");
        Dist.service(dir, "web", "@include common-auth", "account required pam_permit.so",
                "session optional pam_debug.so", "-session optional pam_systemd_home.so");
        PamJavaCommand.Result all = PamJavaCommand.run(tmp, "check", dir.toString());
        assertEquals(List.of("2 files checked: 0 errors, 0 warnings"), all.lines(), all.toString());
        assertEquals(0, all.status());
        PamJavaCommand.Result one = PamJavaCommand.run(tmp, "check", dir.resolve("web").toString());
        assertEquals(List.of("1 file checked: 0 errors, 0 warnings"), one.lines(), one.toString());
    }
}
