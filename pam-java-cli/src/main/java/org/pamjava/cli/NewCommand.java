package org.pamjava.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.lang.model.SourceVersion;

/** {@code pam-java new NAME}: a module skeleton with its test on the test kit, as a small Maven project. */
final class NewCommand {
    static final String HELP = """
            usage: pam-java new [--dir DIR] NAME

            Creates DIR/NAME (default: ./NAME), a Maven project with
              src/main/java/NAME.java      the module: a PamModule, deployable as it is (pam_java.so NAME.java)
              src/test/java/NAMETest.java  its JUnit test on pam_java's test kit (no root, no /etc/pam.d)
            NAME is the module's class name, e.g. OnlyStaff. 'mvn test' in the new directory builds it
            and runs the test; it needs pam-java-api and pam-java-testing in the local Maven
            repository ('mvn install' in pam_java's source tree puts them there).
            """;

    private NewCommand() {}

    static int run(List<String> argv) throws UsageException, IOException {
        Arguments args = Arguments.parse("new", argv, Set.of("--dir"), Set.of());
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
        Path project = Path.of(args.value("--dir") != null ? args.value("--dir") : ".").resolve(name);
        if (Files.exists(project)) {
            throw new UsageException("new: " + project + " exists already");
        }
        Path main = project.resolve("src/main/java/" + name + ".java");
        Path test = project.resolve("src/test/java/" + name + "Test.java");
        write(project.resolve("pom.xml"), ModuleSkeleton.pom(artifactId(name), version));
        write(main, ModuleSkeleton.module(name));
        write(test, ModuleSkeleton.test(name));
        write(project.resolve(".gitignore"), "target/\n");
        System.out.println("created " + project.resolve("pom.xml"));
        System.out.println("created " + main);
        System.out.println("created " + test);
        System.out.println();
        System.out.println("build and test it:   cd " + project + " && mvn test");
        System.out.println("use it in a PAM rule, for example:");
        String pamJava;
        try {
            pamJava = Installation.pamJavaSo().toString();
        } catch (UsageException e) {
            pamJava = "pam_java.so";
        }
        System.out.println("  auth required " + pamJava + " " + main.toAbsolutePath().normalize() + " allow=alice,bob");
        return Main.OK;
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
