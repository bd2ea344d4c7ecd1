package org.pamjava.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The configuration parser under Jazzer (coverage-guided), libpam as the oracle: the input is a
 * service file ({@code $DIR} stands for its directory, where {@code inc0} holds two rules), run
 * through one long-lived pam_driver and through the engine; the codes must be the same. In the
 * suite Jazzer runs only the inputs in
 * {@code src/test/resources/org/pamjava/stack/ConfigParserJazzerTestInputs}; with
 * {@code JAZZER_FUZZ=1} it fuzzes, coverage-guided ({@code scripts/fuzz-java-config.sh [SECONDS]};
 * {@code -Djazzer.max_duration=5m} shortens the annotation's ten minutes), and writes what it finds
 * there as {@code crash-*}: rename each to say what it is once fixed. Jazzer 0.26.0 instruments JDK 25
 * class files (0.24.0 could not and ran unguided): about 850 executions/s, coverage flat near 790
 * edges after some 60,000 (docs/security.md has the numbers and what it found).
 */
class ConfigParserJazzerTest {
    private static Process driver;
    private static Writer jobs;
    private static BufferedReader results;
    private static Path dir;
    private static int id;

    @BeforeAll
    static void startDriver() throws Exception {
        DifferentialTest.compileDriver();
        dir = DifferentialTest.freshDirectory("config-jazzer");
        driver = new ProcessBuilder(Path.of("target/pam_driver").toAbsolutePath().toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        jobs = new java.io.OutputStreamWriter(driver.getOutputStream(), StandardCharsets.UTF_8);
        results = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stopDriver() throws Exception {
        jobs.close();
        driver.waitFor();
    }

    @FuzzTest(maxDuration = "10m")
    void theParserAgreesWithLibpam(byte[] input) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("login", new String(input, StandardCharsets.ISO_8859_1).replace("$DIR", dir.toString()));
        files.put("inc0", "auth optional pam_debug.so auth=auth_err\nsession required pam_permit.so\n");
        StackGenerator.Case c = new StackGenerator.Case(id++, dir, files, "login", "tester", "asmocp");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue(), StandardCharsets.ISO_8859_1);
        }
        jobs.write(c.id() + " " + dir + " login tester asmocp\n");
        jobs.flush();
        String line = results.readLine();
        String libpam = line.substring(line.indexOf(' ') + 1);
        DifferentialTest.Engine engine = DifferentialTest.runEngine(c);
        if (!engine.codes().equals("undefined")) {
            assertEquals(libpam, engine.codes(), () -> "login:\n" + files.get("login") + "\nengine trace:\n" + engine.trace());
        }
    }
}
