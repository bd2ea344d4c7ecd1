package org.pamjava.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.lang.model.SourceVersion;

/** {@code pam-java new NAME}: a module skeleton with its test on the test kit, as a small Maven project. */
final class NewCommand {
    static final String HELP = """
            usage: pam-java new [--dir DIR] [--jar] [--jdk JDK] NAME

            Creates DIR/NAME (default: ./NAME), a Maven project with
              src/main/java/NAME.java      the module: a PamModule, deployable as it is (pam_java.so NAME.java)
              src/test/java/NAMETest.java  its JUnit test on pam_java's test kit (no root, no /etc/pam.d)
            NAME is the module's class name, e.g. OnlyStaff. 'mvn test' in the new directory builds it
            and runs the test on the JDK pom.xml pins (--jdk), whatever JDK Maven runs on, and
            offline too: pam-java-api and pam-java-testing come from the Maven repository pam_java
            installed (/usr/share/maven-repo; dist/share/maven-repo in the staging tree).
            It prints how to install the module where root accepts it, and a rule naming it there.

              --jar      a jar module with a third-party dependency instead: a PIN check using Apache
                         Commons Codec (its pins= file must be root's, mode 0600, or nobody gets
                         in). 'mvn package' makes target/ARTIFACT.jar (ARTIFACT: NAME in lower case
                         with hyphens, PinCheck gives pin-check), whose manifest has
                         Pam-Module-Class: NAME and Class-Path: lib/commons-codec-1.17.1.jar, and copies
                         the dependencies to target/lib/; install the jar and lib/ together.
              --jdk JDK  the JDK that compiles the module and runs its tests (pom.xml's pam-java.jdk,
                         'mvn -Dpam-java.jdk=...' overrides it), whatever JDK Maven runs on; default:
                         the JDK this command runs on, the one pam_java uses (pam_java.conf's java_home).
                         It must be JDK 25 or later (JAVA_VERSION in its release file).
            """;

    /** Where {@code new} tells root to install a jar module: root's, beside nothing anyone else writes. */
    static final Path JAR_MODULE_DIR = Path.of("/usr/local/lib/pam-java");

    /** Where {@code new} tells root to install a .java module, as the guide does. */
    static final Path JAVA_MODULE_DIR = Path.of("/etc/security");

    /** The Java release module projects compile for (the skeleton's maven.compiler.release), the one pam_java runs. */
    static final int MODULE_JDK = 25;

    private NewCommand() {}

    private static final Pattern JAVA_VERSION = Pattern.compile("JAVA_VERSION=\"?(\\d{1,4})");

    /**
     * The feature version (17, 25) the JDK's {@code release} file gives as JAVA_VERSION, or -1 when
     * it has none: the file every JDK since 9 has, so the JDK is not run to ask.
     */
    static int jdkFeatureVersion(Path jdk) throws IOException {
        Path release = jdk.resolve("release");
        if (!Files.isRegularFile(release)) {
            return -1;
        }
        for (String line : Files.readAllLines(release)) {
            Matcher m = JAVA_VERSION.matcher(line);
            if (m.lookingAt()) {
                int feature = Integer.parseInt(m.group(1));
                return feature == 1 ? 8 : feature; // 1.8.0_x: Java 8's scheme; older than any accepted anyway
            }
        }
        return -1;
    }

    static int run(List<String> argv) throws UsageException, IOException {
        Arguments args = Arguments.parse("new", argv, Set.of("--dir", "--jdk"), Set.of("--jar"));
        if (args.help()) {
            System.out.print(HELP);
            return Main.OK;
        }
        if (args.operands().size() != 1) {
            throw new UsageException("new: give one NAME, the module's class name (see pam-java new --help)");
        }
        String name = args.operands().getFirst();
        if (!SourceVersion.isIdentifier(name) || SourceVersion.isKeyword(name) || name.contains("$")) {
            throw new UsageException("new: '" + name + "' is not a Java class name");
        }
        String version = Installation.version();
        if (version == null) {
            throw new UsageException("new: cannot tell which pam_java version this is (run the installed pam-java)");
        }
        Path jdk = Path.of(args.value("--jdk") != null ? args.value("--jdk") : System.getProperty("java.home"))
                .toAbsolutePath().normalize();
        if (!Files.isExecutable(jdk.resolve("bin/javac")) || !Files.isExecutable(jdk.resolve("bin/java"))) {
            throw new UsageException("new: " + jdk + " is not a JDK (no bin/javac and bin/java); name one with --jdk");
        }
        // Checked here, not left to the project's first build, whose javac would only say "release
        // version 25 not supported" after the project is written.
        int feature = jdkFeatureVersion(jdk);
        if (feature < 0) {
            throw new UsageException("new: " + jdk + " has no JAVA_VERSION in its release file, so its version is unknown;"
                    + " name a JDK " + MODULE_JDK + " or later with --jdk");
        }
        if (feature < MODULE_JDK) {
            throw new UsageException("new: " + jdk + " is JDK " + feature + "; module projects compile for Java "
                    + MODULE_JDK + ": name a JDK " + MODULE_JDK + " or later with --jdk");
        }
        Path repository = Installation.mavenRepository();
        if (!Files.isDirectory(repository.resolve("org/pamjava/pam-java-api/" + version))) {
            throw new UsageException("new: " + repository + " has no pam-java-api " + version
                    + "; this installation lacks its Maven repository");
        }
        boolean jar = args.flag("--jar");
        Path project = Path.of(args.value("--dir") != null ? args.value("--dir") : ".").resolve(name);
        if (Files.exists(project)) {
            throw new UsageException("new: " + project + " exists already");
        }
        String artifactId = artifactId(name);
        Path main = project.resolve("src/main/java/" + name + ".java");
        Path test = project.resolve("src/test/java/" + name + "Test.java");
        write(project.resolve("pom.xml"), ModuleSkeleton.pom(artifactId, version, repository.toUri().toString(),
                jdk.toString(), name, jar));
        write(project.resolve(".mvn/maven.config"), ModuleSkeleton.mavenConfig());
        write(main, jar ? ModuleSkeleton.jarModule(name) : ModuleSkeleton.module(name));
        write(test, jar ? ModuleSkeleton.jarTest(name) : ModuleSkeleton.test(name));
        write(project.resolve(".gitignore"), "target/\n");
        System.out.println("created " + project.resolve("pom.xml") + " (compiles and tests on " + jdk + ")");
        System.out.println("created " + main);
        System.out.println("created " + test);
        System.out.println();
        String pamJava;
        try {
            pamJava = Installation.pamJavaSo().toString();
        } catch (UsageException e) {
            pamJava = "pam_java.so";
        }
        Path built = project.toAbsolutePath().normalize();
        if (jar) {
            Path home = JAR_MODULE_DIR.resolve(artifactId);
            Path pins = JAVA_MODULE_DIR.resolve(artifactId + ".pins");
            System.out.println("build, test and package it:   cd " + sh(project) + " && mvn package");
            System.out.println("install it where root accepts it (root's, writable by nobody else, up to /), as root:");
            System.out.println("  install -d -o root -g root -m 0755 " + home.resolve("lib"));
            System.out.println("  install -o root -g root -m 0644 " + sh(built.resolve("target/" + artifactId + ".jar")) + " " + home + "/");
            System.out.println("  install -o root -g root -m 0644 " + sh(built.resolve("target/lib")) + "/*.jar " + home.resolve("lib") + "/");
            // The PIN is read, not typed into the command: it stays out of the shell's history and off the screen.
            System.out.println("give alice a PIN (asked for; the file must stay root's, 0600), as root in bash:");
            System.out.println("  (umask 077; read -rs -p 'PIN for alice: ' pin; echo >&2; printf 'alice:%s\\n' \"$(printf %s \"$pin\" | sha256sum | cut -d' ' -f1)\") >> " + pins);
            System.out.println("  chown root:root " + pins + " && chmod 0600 " + pins);
            System.out.println("then use it in a PAM rule, for example:");
            System.out.println("  auth required " + pamJava + " " + home.resolve(artifactId + ".jar") + " pins=" + pins);
        } else {
            Path installed = JAVA_MODULE_DIR.resolve(name + ".java");
            System.out.println("build and test it:   cd " + sh(project) + " && mvn test");
            System.out.println("install it where root accepts it (root's, writable by nobody else, up to /), as root:");
            System.out.println("  install -o root -g root -m 0644 " + sh(main.toAbsolutePath().normalize()) + " " + installed);
            System.out.println("then use it in a PAM rule, for example:");
            System.out.println("  auth required " + pamJava + " " + installed + " allow=alice,bob");
        }
        return Main.OK;
    }

    /** {@code path} as one shell word, to paste: as it is when it has nothing the shell would read. */
    private static String sh(Path path) {
        String text = path.toString();
        return text.matches("[A-Za-z0-9_./@%+=:,-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** {@code OnlyStaff} becomes {@code only-staff}. */
    static String artifactId(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
