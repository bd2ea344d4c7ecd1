package org.pamjava.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pamjava.stack.ConfigSource;

/**
 * The configurations {@code simulate} and {@code check} read, chosen so they read what libpam
 * would: Debian's libpam opens a service's file in the configuration directory but the files it
 * includes in {@code /etc/pam.d}, even under pam_start_confdir(3).
 */
final class ConfigFiles {
    static final Path SYSTEM_PAM_D = Path.of("/etc/pam.d");

    private ConfigFiles() {}

    /** What pam_start_confdir with {@code confdir} reads. */
    static ConfigSource confdir(Path confdir) {
        return ConfigSource.directory(confdir, SYSTEM_PAM_D);
    }

    /** What libpam would read if {@code file} were {@code /etc/pam.d/SERVICE}. */
    static ConfigSource serviceFile(String service, Path file) throws IOException {
        Map<String, String> files = readDirectory(SYSTEM_PAM_D);
        files.put(serviceFileName(service), read(file));
        return ConfigSource.files(files);
    }

    /**
     * Every regular file of the directories, by name and by absolute path (for includes named
     * that way); a later directory's file replaces an earlier one of the same name.
     */
    static Map<String, String> readDirectory(Path... dirs) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    if (Files.isRegularFile(entry) && Files.isReadable(entry)) {
                        String content = read(entry);
                        files.put(entry.getFileName().toString(), content);
                        files.put(entry.toAbsolutePath().normalize().toString(), content);
                    }
                }
            }
        }
        return files;
    }

    /** A configuration file's text; bytes that are not UTF-8 are replaced, as no PAM rule needs them. */
    static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /** The file libpam opens for {@code service}: its last path component, lower-cased (pam_start(3)). */
    static String serviceFileName(String service) {
        String name = service.substring(service.lastIndexOf('/') + 1);
        StringBuilder sb = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }
}
