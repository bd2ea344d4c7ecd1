package org.pamjava.internal.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Whether files that decide what code runs can be trusted: when the process runs as root, each
 * such file and every directory above it must belong to root and be writable by nobody else,
 * checked along the path as written (so a symlink in an open directory does not count as safe)
 * and along the path it resolves to. A root-owned directory with the sticky bit, like /tmp, is
 * acceptable as an ancestor: others cannot rename or remove root's entries in it.
 */
public final class TrustedPaths {
    private static final int EFFECTIVE_UID = effectiveUid();
    private static final int STICKY = 01000;

    private TrustedPaths() {}

    /** Whether the process runs with effective uid 0 (the checks apply only then). */
    public static boolean runningAsRoot() {
        return EFFECTIVE_UID == 0;
    }

    /** Why {@code file} must not be used, or {@code null} when it can be (always, when not root). */
    public static String problem(Path file) {
        return runningAsRoot() ? problem(file, 0) : null;
    }

    /**
     * Why {@code file} is not safe for a process of effective uid {@code owner}: something along its
     * path belongs to neither root nor {@code owner}, or others can write there; {@code null} if safe.
     */
    static String problem(Path file, int owner) {
        try {
            String literal = problemAlong(file.toAbsolutePath().normalize(), owner);
            return literal != null ? literal : problemAlong(file.toRealPath(), owner);
        } catch (IOException e) {
            return "cannot check " + file + ": " + e;
        }
    }

    static int effectiveUidOfProcess() {
        return EFFECTIVE_UID;
    }

    private static String problemAlong(Path file, int allowedOwner) throws IOException {
        for (Path p = file; p != null; p = p.getParent()) {
            int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (uid != 0 && uid != allowedOwner) {
                return p + " is owned by uid " + uid + (allowedOwner == 0 ? ", not root" : "");
            }
            if (!Files.isSymbolicLink(p) && writableByOthers(p) && !(p != file && isStickyDirectory(p))) {
                return p + " is writable by group or others";
            }
        }
        return null;
    }

    static boolean writableByOthers(Path p) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        return mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE);
    }

    private static boolean isStickyDirectory(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && (mode & STICKY) != 0;
    }

    /** The effective uid, from /proc/self/status ("Uid: real effective saved fs"). */
    private static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Fall through: treat as root, the stricter choice.
        }
        return 0;
    }
}
