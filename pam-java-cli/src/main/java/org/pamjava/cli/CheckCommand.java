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

/** {@code pam-java check}: lint PAM configuration. */
final class CheckCommand {
    static final String HELP = """
            usage: pam-java check FILE|DIR...

            Reads PAM service files (FILE, or every file of DIR) exactly as libpam does, and reports
            as FILE:LINE: error|warning: MESSAGE
              errors:   what libpam rejects or silently turns into a rule that always fails (unknown
                        types, controls and return value names, broken lines, missing included files),
                        include loops, jumps past the end of a stack, modules that do not exist
                        (and pam_java.so's Java modules), lines libpam refuses the whole service for;
              warnings: sufficient after required (it cannot rescue that failure), rules that never
                        run after pam_deny.so, repeated rules, pam_debug arguments it ignores, files
                        writable by group or others.
            Files a service includes are looked up next to it, then in /etc/pam.d.

            Exit status: 0 when there are no errors (warnings allowed), 1 when there are, 2 on errors
            of the command itself.
            """;

    private CheckCommand() {}

    static int run(List<String> argv) throws UsageException, IOException {
        Arguments args = Arguments.parse("check", argv, Set.of(), Set.of());
        if (args.help()) {
            System.out.print(HELP);
            return Main.OK;
        }
        if (args.operands().isEmpty()) {
            throw new UsageException("check: give the files or directories to check (see pam-java check --help)");
        }
        int files = 0;
        List<Finding> findings = new ArrayList<>();
        for (String operand : args.operands()) {
            Path target = Path.of(operand);
            if (!Files.exists(target)) {
                throw new UsageException("check: " + operand + " does not exist");
            }
            Path dir = Files.isDirectory(target) ? target : target.toAbsolutePath().getParent();
            Map<String, Path> known = new LinkedHashMap<>();
            addDirectory(known, ConfigFiles.SYSTEM_PAM_D);
            addDirectory(known, dir);
            List<String> services = new ArrayList<>();
            if (Files.isDirectory(target)) {
                services.addAll(known.keySet().stream().filter(name -> !name.startsWith("/")
                        && dir.resolve(name).equals(known.get(name))).sorted().toList());
            } else {
                String name = target.getFileName().toString();
                known.put(name, target);
                services.add(name);
            }
            ConfigLint lint = new ConfigLint(known);
            for (String service : services) {
                lint.checkService(service);
            }
            files += services.size();
            findings.addAll(lint.findings());
        }
        findings.forEach(System.out::println);
        long errors = findings.stream().filter(f -> f.severity() == Finding.Severity.ERROR).count();
        long warnings = findings.size() - errors;
        System.out.println(files + " file" + (files == 1 ? "" : "s") + " checked: " + errors + " error"
                + (errors == 1 ? "" : "s") + ", " + warnings + " warning" + (warnings == 1 ? "" : "s"));
        return errors > 0 ? Main.FAILED : Main.OK;
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
