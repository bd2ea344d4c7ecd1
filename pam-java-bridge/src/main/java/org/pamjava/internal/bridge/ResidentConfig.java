package org.pamjava.internal.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pamjava.internal.runtime.TrustedPaths;

/**
 * The settings of pam_java.conf the resident service uses, read by pam_java.so's rules
 * (pam-java-shim/src/config.c): "name = value" lines, '#' comments, an unknown name is an error,
 * and the file must be root's and writable by root only.
 */
record ResidentConfig(Path cacheDir, List<Path> classPath, Path residentSocket) {
    /** The built-in cache directory when pam_java.conf names none: the launcher passes the build's. */
    static final String DEFAULT_CACHE_DIR = System.getProperty("pamjava.cacheDir", "/var/cache/pam-java");

    static ResidentConfig read(Path file) throws IOException {
        Path cacheDir = Path.of(DEFAULT_CACHE_DIR);
        List<Path> classPath = new ArrayList<>();
        Path socket = null;
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new ResidentConfig(cacheDir, List.of(), null); // every setting has a default
        }
        String problem = TrustedPaths.problem(file);
        if (problem != null) {
            throw new IOException("refusing " + file + ": " + problem);
        }
        int lineNumber = 0;
        for (String line : lines) {
            lineNumber++;
            int hash = line.indexOf('#');
            String s = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (s.isEmpty()) {
                continue;
            }
            int eq = s.indexOf('=');
            if (eq < 0) {
                throw new IOException(file + ":" + lineNumber + ": expected 'name = value'");
            }
            String key = s.substring(0, eq).strip();
            String value = s.substring(eq + 1).strip();
            switch (key) {
                case "java_home", "jvm_options", "timeout" -> {
                    // pam_java.so's and the launcher's (the service's JVM options, its JDK)
                }
                case "cache_dir" -> cacheDir = Path.of(value);
                case "class_path" -> {
                    classPath.clear();
                    for (String entry : value.split(":")) {
                        if (entry.isEmpty()) {
                            continue;
                        }
                        if (!entry.startsWith("/")) {
                            throw new IOException(file + ":" + lineNumber + ": class_path entries must be absolute paths");
                        }
                        classPath.add(Path.of(entry));
                    }
                }
                case "resident_socket" -> {
                    if (!value.isEmpty() && !value.startsWith("/")) {
                        throw new IOException(file + ":" + lineNumber + ": resident_socket must be an absolute path");
                    }
                    socket = value.isEmpty() ? null : Path.of(value);
                }
                default -> throw new IOException(file + ":" + lineNumber + ": unknown setting '" + key + "'");
            }
        }
        return new ResidentConfig(cacheDir, List.copyOf(classPath), socket);
    }
}
