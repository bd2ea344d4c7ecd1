package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Defect 7 of issue 14: every reader of pam_java.conf reads it by one grammar, so that no text
 * means one thing to pam_java.so and another to the service or its launcher (a setting at the end
 * of an over-long comment was applied by one and not by the other). One table of texts
 * (src/test/config/grammar-cases.txt), each run through pam_java.so's parser (config.c, built into
 * config_parse), the service's (PamJavaConf in the shipped pam-java-resident.jar) and the launcher's
 * (pam-java-resident --print-config), with one expected outcome for all three.
 */
class ConfigGrammarTest {
    private static final Path TABLE = Path.of("src/test/config/grammar-cases.txt");
    private static final List<String> LAUNCHER_SETTINGS = List.of("java_home", "jvm_options", "cache_dir");

    /** One row: the file's bytes, what every parser must make of it, and whether the launcher leaves its error to them. */
    record Case(String name, byte[] text, List<String> expected, boolean launcherAccepts) {}

    static List<Case> table() throws IOException {
        List<Case> cases = new ArrayList<>();
        String name = null;
        byte[] text = null;
        List<String> expected = new ArrayList<>();
        boolean launcherAccepts = false;
        for (String line : Files.readAllLines(TABLE, StandardCharsets.UTF_8)) {
            if (line.startsWith("case ")) {
                if (name != null) {
                    cases.add(new Case(name, text, List.copyOf(expected), launcherAccepts));
                }
                name = line.substring(5);
                text = null;
                expected.clear();
                launcherAccepts = false;
            } else if (line.startsWith("text:")) {
                text = unescape(line.substring(line.length() > 5 ? 6 : 5));
            } else if (line.startsWith("expect: ")) {
                expected.add(new String(unescape(line.substring(8)), StandardCharsets.UTF_8));
            } else if (line.equals("launcher: ok")) {
                launcherAccepts = true;
            }
        }
        cases.add(new Case(name, text, List.copyOf(expected), launcherAccepts));
        return cases;
    }

    /** \n \r \t \0 \\ \xHH, and \{N:C}: N times the character C. */
    static byte[] unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Matcher repeat = Pattern.compile("\\\\\\{(\\d+):(.)}").matcher(s);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case '0' -> out.write(0);
                case '\\' -> out.write('\\');
                case 'x' -> {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case '{' -> {
                    assertTrue(repeat.find(i - 1) && repeat.start() == i - 1, "bad repeat in " + s);
                    out.writeBytes(repeat.group(2).repeat(Integer.parseInt(repeat.group(1)))
                            .getBytes(StandardCharsets.UTF_8));
                    i = repeat.end() - 1;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e + " in " + s);
            }
        }
        return out.toByteArray();
    }

    private record Output(int exit, String stdout, String stderr) {}

    private static Output run(List<String> command) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(Path.of("target/it-work"));
        Path err = Files.createTempFile(dir, "grammar", ".err");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "hung: " + command);
        return new Output(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(err));
    }

    /** "ok" and the settings in a fixed order, or "error LINE": what a parser's message said. */
    private static List<String> outcome(List<String> lines) {
        if (lines.get(0).startsWith("error ")) {
            return List.of(lines.get(0));
        }
        List<String> settings = new ArrayList<>(lines.subList(1, lines.size()));
        settings.sort(null);
        List<String> result = new ArrayList<>(List.of("ok"));
        result.addAll(settings);
        return result;
    }

    private static List<String> onlyLauncherSettings(List<String> outcome) {
        return outcome.stream().filter(l -> l.equals("ok") || l.startsWith("error ")
                || LAUNCHER_SETTINGS.contains(l.substring(0, Math.max(0, l.indexOf('='))))).toList();
    }

    @Test
    void bothLaunchersReadTheFileWithTheOneShellReader() throws IOException {
        // The table runs pam-java-resident's reading; the pam-java command must use the same one,
        // the runtime directory's pam-java-conf.sh, and have no reader of its own.
        assertTrue(Files.readString(PamTestBed.DIST.resolve("share/pam-java/pam-java-conf.sh")).contains("read_conf() {"));
        for (String launcher : List.of("bin/pam-java-resident", "bin/pam-java")) {
            String text = Files.readString(PamTestBed.DIST.resolve(launcher));
            assertTrue(text.contains(". \"$lib/pam-java-conf.sh\""), launcher + " does not source pam-java-conf.sh");
            assertFalse(text.contains("read_conf() {"), launcher + " has a pam_java.conf reader of its own");
        }
    }

    @Test
    void theRealModuleRefusesAnOverLongLineNamingTheFileAndLine() throws Exception {
        // The tail past 8 KB was once read as a setting of its own: here a java_home that would
        // let the module start a JVM and succeed. It must fail closed instead.
        Hardening.variantConfig("timeout = 5", "#" + "x".repeat(8190) + "java_home = " + System.getProperty("java.home"));
        try {
            PamTestBed bed = Hardening.hostile(Hardening.bed("over-long-conf"), "answer", Hardening.CONF_VARIANT);
            PamTestBed.Run run = bed.run(PamTestBed.Host.C, "svc", "auth", "acct");
            PamTestBed.assertCodes(run, "auth", 3, "acct", 3); // PAM_SERVICE_ERR
            assertEquals(1, run.authprivLog(Hardening.VARIANT_CONF + ":2: line longer than 8192 bytes").size(),
                    run.syslog().toString());
        } finally {
            Hardening.variantConfig("# defaults");
        }
    }

    @Test
    void everyReaderOfPamJavaConfReadsEveryTextOfTheTableAsExpected() throws Exception {
        List<Case> cases = table();
        assertTrue(cases.size() >= 20, "the table: " + cases.size());
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target/it-work")), "grammar")
                .toAbsolutePath();
        Map<Case, Path> files = new LinkedHashMap<>();
        for (Case c : cases) {
            files.put(c, Files.write(dir.resolve(c.name() + ".conf"), c.text()));
        }
        // The service's parser: one JVM on the shipped jar for the whole table.
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", PamTestBed.DIST.resolve("share/pam-java/pam-java-resident.jar") + ":"
                        + PamTestBed.DIST.resolve("share/pam-java/pam-java-runtime.jar"),
                "org.pamjava.resident.PamJavaConf"));
        files.values().forEach(f -> java.add(f.toString()));
        Output javaOut = run(java);
        assertEquals(0, javaOut.exit(), javaOut.stderr());
        List<List<String>> javaReadings = new ArrayList<>();
        List<String> block = new ArrayList<>();
        for (String line : javaOut.stdout().split("\n", -1)) {
            if (line.equals("--")) {
                javaReadings.add(List.copyOf(block));
                block.clear();
            } else if (!line.isEmpty()) {
                block.add(line);
            }
        }
        List<String> failures = new ArrayList<>();
        int i = 0;
        for (Case c : cases) {
            Path file = files.get(c);
            List<String> expected = outcome(c.expected());
            // pam_java.so's parser
            Output cOut = run(List.of(PamTestBed.NATIVE.resolve("config_parse").toString(), file.toString()));
            List<String> cReading = outcome(Arrays.asList(cOut.stdout().split("\n")));
            if (!cReading.equals(expected)) {
                failures.add(c.name() + ": config.c read " + cReading + " (" + cOut.stdout().strip() + "), expected " + expected);
            }
            List<String> javaReading = outcome(javaReadings.get(i++));
            if (!javaReading.equals(expected)) {
                failures.add(c.name() + ": PamJavaConf read " + javaReading + ", expected " + expected);
            }
            // the launcher's
            Output sh = run(List.of("sh", PamTestBed.DIST.resolve("bin/pam-java-resident").toString(),
                    "--config", file.toString(), "--print-config"));
            List<String> launcherReading;
            if (sh.exit() == 0) {
                List<String> lines = new ArrayList<>(List.of("ok"));
                sh.stdout().lines().forEach(lines::add);
                launcherReading = outcome(lines);
            } else {
                Matcher m = Pattern.compile(Pattern.quote(file.toString()) + ":(\\d+):").matcher(sh.stderr());
                launcherReading = List.of(m.find() ? "error " + m.group(1) : "failed: " + sh.stderr().strip());
            }
            List<String> launcherExpected = c.launcherAccepts() ? List.of("ok") : onlyLauncherSettings(expected);
            if (!launcherReading.equals(launcherExpected)) {
                failures.add(c.name() + ": the launcher read " + launcherReading + ", expected " + launcherExpected);
            }
        }
        assertEquals(List.of(), failures, String.join("\n", failures));
    }
}
