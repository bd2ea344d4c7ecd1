package org.pamjava.itsupport;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The guard of the tests that write the system's /etc (a service in /etc/pam.d, a test user) or
 * /run and /var (sshd): they run only in the private copy of the system that
 * scripts/private-system.sh makes (scripts/test.sh runs Maven in it), never on the machine itself.
 * Both integration suites (pam-java-it, pam-java-app-it) call it: one guard, so they cannot
 * disagree on what counts as private.
 */
public final class PrivateSystem {
    /** Set by private-system.sh to the machine's mount namespace ("mnt:[N]"). */
    public static final String MARKER = "PAM_JAVA_PRIVATE_SYSTEM";
    /** The mount source private-system.sh gives its overlays. */
    public static final String SOURCE = "pam-java-private";

    private PrivateSystem() {}

    /**
     * Returns when /etc, /run and /var are private copies. Otherwise skips the test when the run
     * is a developer's plain {@code mvn test} (no marker), and fails it when private-system.sh
     * said the run is private (the marker) but it is not: then the test would change the machine.
     */
    public static void require(String what) {
        String machine = System.getenv(MARKER);
        String missing = missing(machine);
        if (missing == null) {
            return;
        }
        if (machine != null) {
            fail(MARKER + " says this run is private, but " + missing + ": refusing to " + what);
        }
        assumeTrue(false, "skipped: " + what + " changes the machine unless run in a private copy of /etc, /run"
                + " and /var; run it through scripts/private-system.sh (as scripts/test.sh does), as root");
    }

    /** What is not private, or null when /etc, /run and /var are private-system.sh's overlays. */
    public static String missing(String machineNamespace) {
        try {
            String here = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
            if (machineNamespace != null && machineNamespace.equals(here)) {
                return "the tests run in the machine's own mount namespace " + here;
            }
            List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
            for (String dir : List.of("/etc", "/run", "/var")) {
                if (!isPrivateOverlay(mounts, dir)) {
                    return dir + " is not a " + SOURCE + " overlay";
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the last mount at {@code dir} (the one in effect) is a private-system.sh overlay. */
    private static boolean isPrivateOverlay(List<String> mountinfo, String dir) {
        boolean overlay = false;
        for (String line : mountinfo) {
            // proc(5): ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            if (fields.length > 4 && fields[4].equals(dir) && dash > 0 && dash + 2 < fields.length) {
                overlay = fields[dash + 1].equals("overlay") && fields[dash + 2].equals(SOURCE);
            }
        }
        return overlay;
    }
}
