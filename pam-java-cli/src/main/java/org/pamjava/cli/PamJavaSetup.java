package org.pamjava.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pamjava.resident.PamJavaConf;

/**
 * The set-up pam_java.so starts from, read as pam_java.so reads it as root: pam_java.conf (its
 * ownership and grammar), the class_path, cache_dir and java_home it gives, and what pam_java.so
 * refuses of them before it runs any module. The refusals are worded as pam_java.so's syslog lines
 * (pam-java-shim/src/config.c and startup.c), so {@code pam-java check} says what the log will.
 * {@link #problems()} are of pam_java.conf itself: every pam_java.so rule fails. {@link #startProblems()}
 * stop pam_java.so from starting a JVM in a process (cache_dir, java_home, jvm_options): the rules
 * that run in-process fail, those the resident service runs do not.
 */
record PamJavaSetup(Path file, List<Path> classPath, Path cacheDir, Path javaHome, List<String> problems,
                    List<String> startProblems, List<String> notes) {
    /** The JDK files pam_java.so needs under java_home before it starts one (startup.c's jdk_files). */
    private static final List<String> JDK_FILES = List.of("lib/server/libjvm.so", "lib/modules", "lib/libjimage.so",
            "lib/libjava.so", "lib/libzip.so", "lib/libnio.so", "lib/libnet.so");
    /** The jvm_options pam_java.so refuses, by prefix (startup.c's refused_options, which says why). */
    private static final List<String> REFUSED_JVM_OPTIONS = List.of("-XX:Flags=", "-XX:VMOptionsFile=",
            "-XX:+PrintVMOptions", "-XX:+PrintFlagsInitial", "-XX:+PrintSharedArchiveAndExit", "-XX:OnError=",
            "-XX:OnOutOfMemoryError=", "-XX:+ExitOnOutOfMemoryError", "-XX:+ErrorFileToStdout",
            "-XX:+ErrorFileToStderr", "-XX:+ShowMessageBoxOnError");

    /** This installation's pam_java.conf, as the launcher names it. */
    static Path installedFile() {
        return Path.of(StatusCommand.DEFAULT_CONFIG);
    }

    /** This installation's pam_java.conf, with this installation's defaults. */
    static PamJavaSetup installed() {
        return read(installedFile(), Installation.defaultCacheDir(), Installation.defaultJavaHome());
    }

    /**
     * Reads {@code file} and checks what pam_java.so checks. {@code defaultCacheDir} and
     * {@code defaultJavaHome} are the build's, used when the file names none.
     */
    static PamJavaSetup read(Path file, Path defaultCacheDir, Path defaultJavaHome) {
        List<String> problems = new ArrayList<>();
        List<String> startProblems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        PamJavaConf conf = null;
        byte[] text = null;
        if (Files.isSymbolicLink(file)) { // pam_java.so opens it O_NOFOLLOW: a link, even a dangling one, is ELOOP
            problems.add("cannot open " + file + ": Too many levels of symbolic links");
        } else {
            try {
                text = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                notes.add(file + " does not exist: pam_java.so uses every setting's default");
            } catch (IOException e) {
                problems.add("cannot open " + file + ": " + strerror(e));
            }
        }
        if (text != null) {
            String untrusted = pathTrustProblem(file);
            if (untrusted != null) {
                problems.add(untrusted);
            } else {
                try {
                    conf = PamJavaConf.parse(text, file.toString());
                } catch (PamJavaConf.Invalid e) {
                    problems.add(e.getMessage());
                }
            }
        }
        List<Path> classPath = conf == null ? List.of() : conf.classPath();
        Path cacheDir = conf != null && conf.value("cache_dir") != null ? Path.of(conf.value("cache_dir")) : defaultCacheDir;
        Path javaHome = conf != null && conf.value("java_home") != null ? Path.of(conf.value("java_home")) : defaultJavaHome;
        if (problems.isEmpty()) { // in jvm.c's order: the first refusal ends the start
            checkCacheDir(cacheDir, startProblems, notes);
            if (startProblems.isEmpty() && javaHome != null) {
                checkJdk(javaHome, startProblems);
            }
            String options = conf == null ? null : conf.value("jvm_options");
            if (startProblems.isEmpty() && options != null) {
                checkJvmOptions(options, startProblems);
            }
        }
        return new PamJavaSetup(file, List.copyOf(classPath), cacheDir, javaHome, List.copyOf(problems),
                List.copyOf(startProblems), List.copyOf(notes));
    }

    /**
     * pam_java.so's cache_dir check as root (config.c, pj_cache_dir_ready): a directory owned by
     * root with mode 0700 under a trusted path; a missing one is made under a trusted parent.
     */
    private static void checkCacheDir(Path dir, List<String> problems, List<String> notes) {
        Map<String, Object> st;
        try {
            st = Files.readAttributes(dir, "unix:uid,mode,isDirectory,isSymbolicLink", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            Path parent = dir.getParent() == null ? dir : dir.getParent();
            String untrusted = pathChainProblem("the parent of cache_dir", parent);
            if (untrusted != null) {
                problems.add(untrusted);
            } else {
                notes.add("cache_dir " + dir + " does not exist: pam_java.so creates it (0700, root) at its first use");
            }
            return;
        } catch (IOException e) {
            problems.add("refusing cache_dir " + dir + ": " + strerror(e));
            return;
        }
        int mode = (Integer) st.get("mode");
        int uid = (Integer) st.get("uid");
        boolean directory = (Boolean) st.get("isDirectory");
        if (!directory || uid != 0 || (mode & 077) != 0) {
            problems.add("refusing cache_dir " + dir + ": it must be a directory owned by root with mode 0700"
                    + " (it is " + (directory ? "a directory" : (Boolean) st.get("isSymbolicLink") ? "a symlink" : "not a directory")
                    + ", owner " + uid + ", mode " + String.format("%04o", mode & 07777)
                    + "); remove it and pam_java makes it anew");
            return;
        }
        String untrusted = pathTrustProblem(dir);
        if (untrusted != null) {
            problems.add(untrusted);
        }
    }

    /** pam_java.so's check of java_home before it starts a JVM (startup.c, pj_jdk_layout_ready). */
    private static void checkJdk(Path javaHome, List<String> problems) {
        for (String name : JDK_FILES) {
            Path path = Path.of(javaHome + "/" + name);
            String wrong;
            try {
                Map<String, Object> st = Files.readAttributes(path, "isRegularFile,size");
                wrong = !(Boolean) st.get("isRegularFile") ? "not a file" : (Long) st.get("size") == 0 ? "empty" : null;
            } catch (IOException e) {
                wrong = strerror(e);
            }
            if (wrong != null) {
                problems.add("not starting Java: java_home " + javaHome + " is not a whole JDK: " + name + ": " + wrong);
                return;
            }
            String untrusted = pathTrustProblem(path);
            if (untrusted != null) {
                problems.add(untrusted);
                return;
            }
        }
    }

    /** pam_java.so's check of jvm_options, split as it splits them (strtok on space and tab). */
    private static void checkJvmOptions(String options, List<String> problems) {
        for (String option : options.split("[ \t]+")) {
            if (!option.isEmpty() && REFUSED_JVM_OPTIONS.stream().anyMatch(option::startsWith)) {
                problems.add("not starting Java: jvm_options " + option + " is not accepted (HotSpot would write on the"
                        + " host's terminal, run a command in it, or end it past pam_java's hooks)");
                return;
            }
        }
    }

    /**
     * Why root's pam_java.so refuses {@code path}, in its words (config.c, pj_path_trust_problem):
     * along the path as written, then as resolved; {@code null} when it is trusted.
     */
    static String pathTrustProblem(Path path) {
        Path resolved;
        try {
            resolved = path.toRealPath();
        } catch (IOException e) {
            return "refusing " + path + ": " + strerror(e);
        }
        String asWritten = pathChainProblem(path.toString(), path);
        return asWritten != null ? asWritten : pathChainProblem(path.toString(), resolved);
    }

    /**
     * config.c's path_chain_trusted, word for word: each component from {@code path} up to
     * {@code /} must be owned by root and, unless a symbolic link or a sticky directory above the
     * file, writable by neither group nor others.
     */
    static String pathChainProblem(String what, Path path) {
        if (!path.isAbsolute()) {
            return "refusing " + what + ": not an absolute path";
        }
        boolean first = true;
        for (Path p = path; p != null; p = p.getParent()) {
            Map<String, Object> st;
            try {
                st = Files.readAttributes(p, "unix:uid,mode,isDirectory,isSymbolicLink", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                return "refusing " + what + ": cannot stat " + p + ": " + strerror(e);
            }
            int mode = (Integer) st.get("mode");
            if ((Integer) st.get("uid") != 0) {
                return "refusing " + what + ": " + p + " is not owned by root";
            }
            boolean stickyDirectory = !first && (Boolean) st.get("isDirectory") && (mode & 01000) != 0;
            if (!(Boolean) st.get("isSymbolicLink") && (mode & 022) != 0 && !stickyDirectory) {
                return "refusing " + what + ": " + p + " is writable by group or others";
            }
            first = false;
        }
        return null;
    }

    /** strerror(3)'s words for the errno behind {@code e}, as far as Java tells it. */
    static String strerror(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage();
    }
}
