package org.pamjava.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the command's own installation is: the staging tree {@code dist/} or an installed prefix
 * (the launcher passes it as {@code -Dpamjava.home}); else found from this jar's location,
 * {@code PREFIX/share/pam-java/pam-java-cli.jar}.
 */
final class Installation {
    /** Debian's multiarch module directory: where libpam finds a module named without a path. */
    static final Path SYSTEM_MODULE_DIR = Path.of("/lib/x86_64-linux-gnu/security");

    private Installation() {}

    static Path home() {
        String configured = System.getProperty("pamjava.home");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        try {
            Path jar = Path.of(Installation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path share = jar.getParent();
            return share.getParent().getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where pam-java is installed; set -Dpamjava.home", e);
        }
    }

    /**
     * The pam_java.so of this installation: beside the command in the staging tree
     * ({@code dist/lib/security}), else where an installed one lives, in libpam's module directory.
     */
    static Path pamJavaSo() throws UsageException {
        Path staged = home().resolve("lib/security/pam_java.so");
        Path installed = SYSTEM_MODULE_DIR.resolve("pam_java.so");
        if (Files.isRegularFile(staged)) {
            return staged;
        }
        if (Files.isRegularFile(installed)) {
            return installed;
        }
        throw new UsageException("cannot find pam_java.so at " + staged + " or " + installed);
    }

    /** The runtime directory holding the jars and the example modules. */
    static Path share() {
        return home().resolve("share/pam-java");
    }

    /** This release's version, as the jar's manifest says; {@code null} when run from unpackaged classes. */
    static String version() {
        return Installation.class.getPackage().getImplementationVersion();
    }
}
