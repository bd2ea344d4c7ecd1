package org.pamjava.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether files that decide what code runs can be trusted: when the process runs as root, each
 * such file and every directory above it must belong to root and be writable by nobody else,
 * checked along the path as written (so a symlink in an open directory does not count as safe)
 * and along the path it resolves to. A root-owned directory with the sticky bit, like /tmp, is
 * acceptable as an ancestor: others cannot rename or remove root's entries in it.
 */
public final class TrustedPaths {
    private static final int STICKY = 01000;
    private static final int GROUP_OR_OTHERS_WRITE = 0022;
    private static final int S_IFMT = 0170000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFDIR = 0040000;

    private TrustedPaths() {}

    /** Whether the process runs with effective uid 0 (the checks apply only then). */
    public static boolean runningAsRoot() {
        return effectiveUid() == 0;
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
            return problemAlongBoth(file, owner);
        } catch (IOException e) {
            return "cannot check " + file + ": " + e;
        }
    }

    /**
     * Why a root process must not use {@code file} (as {@link #problem(Path)} says as root), or
     * {@code null}, whoever asks: {@code pam-java status} tells a user what root's pam_java.so
     * decides. An IOException when the path cannot be checked (a directory the caller cannot search).
     */
    public static String problemForRoot(Path file) throws IOException {
        return problemAlongBoth(file, 0);
    }

    private static String problemAlongBoth(Path file, int owner) throws IOException {
        Path literal = file.toAbsolutePath().normalize();
        String problem = problemAlong(literal, owner);
        if (problem != null) {
            return problem;
        }
        Path real = file.toRealPath();
        // Without symbolic links on the way the two walks are one: check it once.
        return real.equals(literal) ? null : problemAlong(real, owner);
    }

    static int effectiveUidOfProcess() {
        return effectiveUid();
    }

    private static String problemAlong(Path file, int allowedOwner) throws IOException {
        for (Path p = file; p != null; p = p.getParent()) {
            // One lstat(2) per component: owner, type and permission bits together.
            Map<String, Object> st = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) st.get("uid");
            int mode = (Integer) st.get("mode");
            if (uid != 0 && uid != allowedOwner) {
                return p + " is owned by uid " + uid + (allowedOwner == 0 ? ", not root" : "");
            }
            boolean symlink = (mode & S_IFMT) == S_IFLNK;
            boolean stickyDirectory = (mode & S_IFMT) == S_IFDIR && (mode & STICKY) != 0;
            if (!symlink && (mode & GROUP_OR_OTHERS_WRITE) != 0 && !(p != file && stickyDirectory)) {
                return p + " is writable by group or others";
            }
        }
        return null;
    }

    static boolean writableByOthers(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & GROUP_OR_OTHERS_WRITE) != 0;
    }

    /**
     * The effective uid, now (a host may change it between calls): the owner of /proc/self, one
     * stat, no parsing. A process that is not
     * dumpable (setuid, or by prctl) sees /proc/self owned by root, which makes the checks
     * stricter, never looser.
     */
    private static int effectiveUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return 0; // the stricter choice
        }
    }
}
