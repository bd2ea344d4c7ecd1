package org.pamjava.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code pam-java check}: lint PAM configuration, and what root's pam_java.so would refuse of its Java modules. */
final class CheckCommand {
    static final String HELP = """
            usage: pam-java check [FILE|DIR...]

            Reads PAM service files (FILE, or every file of DIR) exactly as libpam does, and reports
            as FILE:LINE: error|warning: MESSAGE
              errors:   what libpam rejects or silently turns into a rule that always fails (unknown
                        types, controls and return value names, broken lines, missing included files),
                        include loops, jumps past the end of a stack, modules that do not exist,
                        lines libpam refuses the whole service for; and everything root's pam_java.so
                        would refuse, in the words it logs: a Java module owned by another user or
                        writable by group or others (or a directory above it), a .java file that does
                        not compile (the compiler's messages), a jar without Pam-Module-Class or with a
                        Class-Path entry that is missing or not root's, a class that is not a PamModule
                        or lacks the constructor pam_java calls, class_path entries, and pam_java.conf
                        itself (its owner, modes and grammar), its cache_dir, java_home and
                        jvm_options (these three stop only the rules run in-process);
              warnings: sufficient after required (it cannot rescue that failure), rules that never
                        run after pam_deny.so, repeated rules, pam_debug arguments it ignores, files
                        writable by group or others, an /etc/pam.conf that libpam ignores, a Java
                        module this account may not read (run check as root for pam_java.so's answer).
            Java modules are judged as root sees them, whoever runs check, and no module code runs
            (classes are loaded but not initialised; annotations are read from the class files). A
            relative module is looked up beside pam_java.so's real file, as pam_java.so does. A file named pam.conf is read in pam.conf's
            form (a service name first on each line). Without FILE or DIR, check reads what libpam
            reads: /etc/pam.d, or /etc/pam.conf when /etc/pam.d is not a directory. Files a service
            includes are looked up next to it, then in /etc/pam.d.

            Exit status: 0 when there are no errors (warnings allowed), 1 when there are, 2 on errors
            of the command itself.
            """;

    /** What libpam reads when /etc/pam.d is not a directory (Linux-PAM's PAM_CONFIG). */
    static final Path SYSTEM_PAM_CONF = Path.of("/etc/pam.conf");

    private CheckCommand() {}

    static int run(List<String> argv) throws UsageException, IOException {
        Arguments args = Arguments.parse("check", argv, Set.of(), Set.of());
        if (args.help()) {
            System.out.print(HELP);
            return Main.OK;
        }
        List<String> operands = args.operands();
        if (operands.isEmpty()) {
            operands = List.of(Files.isDirectory(ConfigFiles.SYSTEM_PAM_D) ? ConfigFiles.SYSTEM_PAM_D.toString()
                    : SYSTEM_PAM_CONF.toString());
        }
        int files = 0;
        List<Finding> findings = new ArrayList<>();
        JavaModuleChecks javaModules = new JavaModuleChecks(PamJavaSetup.installed());
        boolean systemConfigurationRead = false;
        for (String operand : operands) {
            Path target = Path.of(operand);
            if (!Files.exists(target)) {
                throw new UsageException("check: " + operand + " does not exist");
            }
            Path dir = Files.isDirectory(target) ? target : target.toAbsolutePath().getParent();
            boolean pamConf = !Files.isDirectory(target) && target.getFileName().toString().equals("pam.conf");
            Map<String, Path> known = new LinkedHashMap<>();
            addDirectory(known, ConfigFiles.SYSTEM_PAM_D);
            if (!pamConf) { // pam.conf's includes are /etc/pam.d's files, not its neighbours
                addDirectory(known, dir);
            }
            List<String> services = new ArrayList<>();
            if (Files.isDirectory(target)) {
                services.addAll(known.keySet().stream().filter(name -> !name.startsWith("/")
                        && dir.resolve(name).equals(known.get(name))).sorted().toList());
            } else if (!pamConf) {
                String name = target.getFileName().toString();
                known.put(name, target);
                services.add(name);
            }
            ConfigLint lint = new ConfigLint(known, javaModules);
            if (pamConf) {
                lint.checkPamConf(target);
                files++;
            }
            for (String service : services) {
                lint.checkService(service);
            }
            files += services.size();
            findings.addAll(lint.findings());
            systemConfigurationRead |= isSystem(target);
        }
        if (systemConfigurationRead) {
            findings.addAll(ignoredPamConf());
        }
        findings.addAll(javaModules.setupFindings());
        findings.forEach(System.out::println);
        long errors = findings.stream().filter(f -> f.severity() == Finding.Severity.ERROR).count();
        long warnings = findings.size() - errors;
        System.out.println(files + " file" + (files == 1 ? "" : "s") + " checked: " + errors + " error"
                + (errors == 1 ? "" : "s") + ", " + warnings + " warning" + (warnings == 1 ? "" : "s"));
        return errors > 0 ? Main.FAILED : Main.OK;
    }

    /** Whether {@code target} is libpam's own configuration: /etc/pam.d or /etc/pam.conf. */
    private static boolean isSystem(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        return absolute.equals(ConfigFiles.SYSTEM_PAM_D) || absolute.equals(SYSTEM_PAM_CONF);
    }

    /**
     * libpam reads /etc/pam.conf only when /etc/pam.d is not a directory: rules written there
     * beside a /etc/pam.d do nothing, which their author rarely means.
     */
    private static List<Finding> ignoredPamConf() throws IOException {
        if (!Files.isDirectory(ConfigFiles.SYSTEM_PAM_D) || !Files.isRegularFile(SYSTEM_PAM_CONF)
                || RawConfigLines.read(ConfigFiles.read(SYSTEM_PAM_CONF)).isEmpty()) {
            return List.of();
        }
        return List.of(new Finding(SYSTEM_PAM_CONF, 0, Finding.Severity.WARNING, "libpam ignores this file's rules:"
                + " it reads /etc/pam.conf only when " + ConfigFiles.SYSTEM_PAM_D + " is not a directory, and it is one"));
    }

    /** The service files of {@code dir} by name and absolute path; backups and hidden files are skipped. */
    private static void addDirectory(Map<String, Path> known, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (Files.isRegularFile(entry) && Files.isReadable(entry) && !name.startsWith(".")
                        && !name.endsWith("~") && !name.contains(".dpkg-")) {
                    known.put(name, entry);
                    known.put(entry.toAbsolutePath().normalize().toString(), entry);
                }
            }
        }
    }
}
