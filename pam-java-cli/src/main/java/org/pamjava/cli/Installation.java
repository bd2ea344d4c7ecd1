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

    /**
     * Where pam_java.so, named {@code pamJavaPath} in a rule, looks up a relative Java module: the
     * directory of its own real file (the realpath of where libpam loaded it from), so through a
     * symbolic link, where the link points. check and simulate both look there.
     */
    static Path javaModuleDirectory(String pamJavaPath) {
        Path so = pamJavaPath.startsWith("/") ? Path.of(pamJavaPath) : SYSTEM_MODULE_DIR.resolve(pamJavaPath);
        try {
            return so.toRealPath().getParent();
        } catch (java.io.IOException e) {
            return so.toAbsolutePath().getParent();
        }
    }

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

    /**
     * Where pam_java.so caches compiled modules when pam_java.conf names no cache_dir: the build's
     * default, /var/cache/pam-java for a system installation, under the staging tree for dist/.
     */
    static Path defaultCacheDir() {
        Path home = home();
        return home.equals(Path.of("/usr")) ? Path.of("/var/cache/pam-java") : home.resolve("var/cache/pam-java");
    }

    /** The JDK pam_java.so starts when pam_java.conf names no java_home: the one it was built with. */
    static Path defaultJavaHome() {
        return Path.of(System.getProperty("pamjava.builtJdk", System.getProperty("java.home")));
    }

    /**
     * The Maven repository holding this installation's pam-java-api, pam-java-testing and what
     * they need, in Debian's layout: {@code /usr/share/maven-repo} installed, {@code dist/share/maven-repo} staged.
     */
    static Path mavenRepository() {
        return home().resolve("share/maven-repo");
    }

    /** This release's version, as the jar's manifest says; {@code null} when run from unpackaged classes. */
    static String version() {
        return Installation.class.getPackage().getImplementationVersion();
    }
}
