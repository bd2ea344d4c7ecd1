package org.pamjava.appit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The staged tree under test, and private pam.d directories for pam_start_confdir(3). */
final class Dist {
    static final Path HOME = Path.of(System.getProperty("pamjava.dist", "../dist")).toAbsolutePath().normalize();
    static final Path PAM_JAVA = HOME.resolve("lib/security/pam_java.so");
    static final Path COMMAND = HOME.resolve("bin/pam-java");
    static final Path MODULES = Path.of(System.getProperty("pamjava.testModules", "src/test/modules")).toAbsolutePath();

    private Dist() {}

    /** Writes service {@code name} into {@code confdir}; {@code $PAM_JAVA} and {@code $MODULES} are replaced. */
    static Path service(Path confdir, String name, String... rules) throws IOException {
        Files.createDirectories(confdir);
        StringBuilder text = new StringBuilder();
        for (String rule : rules) {
            text.append(rule.replace("$PAM_JAVA", PAM_JAVA.toString()).replace("$MODULES", MODULES.toString())).append('\n');
        }
        return Files.writeString(confdir.resolve(name), text);
    }
}
