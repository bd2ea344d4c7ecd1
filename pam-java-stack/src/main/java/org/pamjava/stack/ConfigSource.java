package org.pamjava.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a {@link PamStack} reads its configuration: a pam.d-style directory (what
 * pam_start_confdir(3) is given), an in-memory set of such files, or a single {@code /etc/pam.conf}.
 *
 * <p>File names are resolved as libpam resolves them: a name starting with {@code /} is an absolute
 * path, any other name is looked up in the directory. The content is read as bytes, as libpam reads it.
 */
public final class ConfigSource {

    private final Path directory;
    private final Map<String, byte[]> files;
    private final byte[] pamConf;

    private ConfigSource(Path directory, Map<String, byte[]> files, byte[] pamConf) {
        this.directory = directory;
        this.files = files;
        this.pamConf = pamConf;
    }

    /** A pam.d-style directory: the service's stack is the file named after it, {@code other} the fallback. */
    public static ConfigSource directory(Path directory) {
        return new ConfigSource(directory, null, null);
    }

    /**
     * In-memory pam.d files: file name (for example {@code "login"}, {@code "other"},
     * {@code "common-auth"}, or an absolute path) to content.
     */
    public static ConfigSource files(Map<String, String> files) {
        Map<String, byte[]> bytes = new java.util.HashMap<>();
        files.forEach((name, text) -> bytes.put(name, text.getBytes(StandardCharsets.UTF_8)));
        return new ConfigSource(null, Map.copyOf(bytes), null);
    }

    /**
     * An {@code /etc/pam.conf}-style file with a service field on every line; files it includes are
     * looked up in {@code includes}.
     */
    public static ConfigSource pamConf(String text, ConfigSource includes) {
        return new ConfigSource(includes.directory, includes.files, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether this is the single-file {@code pam.conf} form. */
    public boolean isPamConf() {
        return pamConf != null;
    }

    /** The pam.conf content; only for {@link #isPamConf()} sources. */
    byte[] pamConfBytes() {
        return pamConf.clone();
    }

    /** The content of the file libpam would open for {@code name}, or empty if it cannot be opened. */
    Optional<byte[]> read(String name) {
        if (files != null) {
            return Optional.ofNullable(files.get(name)).map(byte[]::clone);
        }
        if (directory == null) {
            return Optional.empty();
        }
        Path path = name.startsWith("/") ? Path.of(name) : directory.resolve(name);
        try {
            if (Files.isDirectory(path)) {
                return Optional.of(new byte[0]); // fopen(3) succeeds on a directory; reading finds nothing
            }
            return Optional.of(Files.readAllBytes(path));
        } catch (IOException | SecurityException | java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        String where = directory != null ? directory.toString() : "in-memory files " + files.keySet();
        return isPamConf() ? "pam.conf with includes from " + where : where;
    }
}
