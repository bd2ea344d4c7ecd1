package org.pamjava.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a {@link PamStack} reads its configuration: a pam.d-style directory (what
 * pam_start_confdir(3) is given), an in-memory set of such files, or a single {@code /etc/pam.conf}.
 *
 * <p>The service's file and {@code other} are read from the directory. A file named by
 * {@code include}, {@code substack} or {@code @include} is opened by its path when the name starts
 * with {@code /}, else looked up in the include directory. Upstream Linux-PAM 1.5.2 looks in the
 * confdir; Debian 12's libpam looks in {@code /etc/pam.d} even when given a confdir: use
 * {@link #directory(Path, Path)} with {@code /etc/pam.d} to reproduce that.
 * Content is read as bytes, as libpam reads it.
 */
public final class ConfigSource {

    private final Path directory;
    private final Path includeDirectory;
    private final Map<String, byte[]> files;
    private final byte[] pamConf;

    private ConfigSource(Path directory, Path includeDirectory, Map<String, byte[]> files, byte[] pamConf) {
        this.directory = directory;
        this.includeDirectory = includeDirectory;
        this.files = files;
        this.pamConf = pamConf;
    }

    /**
     * A pam.d-style directory: the service's stack is the file named after it, {@code other} the
     * fallback; relative include names are looked up in the same directory.
     */
    public static ConfigSource directory(Path directory) {
        return new ConfigSource(directory, directory, null, null);
    }

    /** A pam.d-style directory whose relative include names are looked up in {@code includeDirectory}. */
    public static ConfigSource directory(Path directory, Path includeDirectory) {
        return new ConfigSource(directory, includeDirectory, null, null);
    }

    /** The system's own configuration, {@code /etc/pam.d}. */
    public static ConfigSource system() {
        return directory(Path.of("/etc/pam.d"));
    }

    /**
     * In-memory pam.d files: file name (for example {@code "login"}, {@code "other"},
     * {@code "common-auth"}, or an absolute path) to content. Includes look names up here too.
     */
    public static ConfigSource files(Map<String, String> files) {
        Map<String, byte[]> bytes = new HashMap<>();
        files.forEach((name, text) -> bytes.put(name, text.getBytes(StandardCharsets.UTF_8)));
        return new ConfigSource(null, null, Map.copyOf(bytes), null);
    }

    /**
     * An {@code /etc/pam.conf}-style file with a service field on every line; files it includes are
     * looked up in {@code includes}.
     */
    public static ConfigSource pamConf(String text, ConfigSource includes) {
        return new ConfigSource(includes.directory, includes.includeDirectory, includes.files,
                text.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether this is the single-file {@code pam.conf} form. */
    public boolean isPamConf() {
        return pamConf != null;
    }

    /** The pam.conf content; only for {@link #isPamConf()} sources. */
    byte[] pamConfBytes() {
        return pamConf.clone();
    }

    /** The service file (or {@code other}) libpam would open, or empty if it cannot be opened. */
    Optional<byte[]> readService(String name) {
        return read(directory, name);
    }

    /** The file an include names, or empty if it cannot be opened. */
    Optional<byte[]> readInclude(String name) {
        return read(includeDirectory, name);
    }

    private Optional<byte[]> read(Path dir, String name) {
        if (files != null) {
            return Optional.ofNullable(files.get(name)).map(byte[]::clone);
        }
        try {
            Path path = name.startsWith("/") ? Path.of(name) : dir == null ? null : dir.resolve(name);
            if (path == null) {
                return Optional.empty();
            }
            if (Files.isDirectory(path)) {
                return Optional.of(new byte[0]); // fopen(3) opens a directory; reading it yields nothing
            }
            return Optional.of(Files.readAllBytes(path));
        } catch (IOException | SecurityException | InvalidPathException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        String where = directory != null ? directory.toString() : "in-memory files " + files.keySet();
        return isPamConf() ? "pam.conf with includes from " + where : where;
    }
}
