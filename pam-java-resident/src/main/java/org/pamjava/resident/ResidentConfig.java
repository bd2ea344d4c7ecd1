package org.pamjava.resident;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.pamjava.runtime.TrustedPaths;

/**
 * The settings of pam_java.conf the resident service uses, read by pam_java.so's grammar
 * ({@link PamJavaConf}); the file must be root's and writable by root only. The launcher
 * (pam-java-resident) has already read java_home, jvm_options and cache_dir to start this JVM:
 * it passes what it read as {@code pamjava.launcher.NAME}, and a file the two read differently
 * is refused, so the service never runs on settings its own parser would not give. The timeout
 * is pam_java.so's: the service counts a call that runs past it as stuck (ResidentCalls).
 */
record ResidentConfig(Path cacheDir, List<Path> classPath, Path residentSocket, long timeoutMillis) {
    /** The built-in cache directory when pam_java.conf names none: the launcher passes the build's. */
    static final String DEFAULT_CACHE_DIR = System.getProperty("pamjava.cacheDir", "/var/cache/pam-java");
    /** The settings the launcher reads itself. */
    static final List<String> LAUNCHER_SETTINGS = List.of("java_home", "jvm_options", "cache_dir");

    static ResidentConfig read(Path file) throws IOException {
        byte[] text;
        try {
            text = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            checkLauncher(file, PamJavaConf.parse(new byte[0], file.toString()));
            return new ResidentConfig(Path.of(DEFAULT_CACHE_DIR), List.of(), null, 0); // every setting has a default
        }
        String problem = TrustedPaths.problem(file);
        if (problem != null) {
            throw new IOException("refusing " + file + ": " + problem);
        }
        PamJavaConf conf = PamJavaConf.parse(text, file.toString());
        checkLauncher(file, conf);
        String cacheDir = conf.value("cache_dir");
        String socket = conf.value("resident_socket");
        return new ResidentConfig(Path.of(cacheDir != null ? cacheDir : DEFAULT_CACHE_DIR), conf.classPath(),
                socket != null ? Path.of(socket) : null, conf.timeoutMillis());
    }

    /** The launcher's reading of its settings must be this parser's (when it says what it read). */
    private static void checkLauncher(Path file, PamJavaConf conf) throws IOException {
        for (String name : LAUNCHER_SETTINGS) {
            String launcher = System.getProperty("pamjava.launcher." + name);
            String ours = Objects.requireNonNullElse(conf.value(name), "");
            if (launcher != null && !launcher.equals(ours)) {
                throw new IOException("refusing " + file + ": the launcher read " + name + " as '" + launcher
                        + "', pam_java.so's grammar reads '" + ours + "'");
            }
        }
    }
}
