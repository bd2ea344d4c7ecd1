package org.pamjava.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.Response;

/**
 * The engine against the real libpam: thousands of generated stacks (and the hand-written
 * regression cases of {@link RegressionCases}) are run through Linux-PAM itself, by a small C
 * driver using pam_start_confdir(3) and Linux-PAM's own pam_debug.so, pam_permit.so and
 * pam_deny.so, and through the engine; every return code must be the same.
 */
class DifferentialTest {

    static final int STACKS = 3000;
    static final long SEED = 20240601L;
    /** Where libpam looks for a module named without a path (Debian's, as the engine's default). */
    static final String LIBPAM_MODULE_DIR = "/lib/x86_64-linux-gnu/security/";

    private static Path driver;

    @BeforeAll
    static void compileDriver() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        driver = target.resolve("pam_driver");
        Process gcc = new ProcessBuilder("gcc", "-Wall", "-Wextra", "-Werror", "-O2", "-o", driver.toString(),
                Path.of("src/test/c/pam_driver.c").toAbsolutePath().toString(), "-lpam")
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), "gcc failed (libpam0g-dev needed):\n" + output);
    }

    @Test
    void generatedStacksGiveTheSameCodesAsLibpam() throws Exception {
        Path root = freshDirectory("differential");
        StackGenerator generator = new StackGenerator(SEED);
        List<StackGenerator.Case> cases = new ArrayList<>();
        for (int i = 0; i < STACKS; i++) {
            cases.add(generator.next(i, root.resolve(Integer.toString(i))));
        }
        compare(cases, "generated (seed " + SEED + ")");
    }

    @Test
    void regressionCasesGiveTheSameCodesAsLibpam() throws Exception {
        Path root = freshDirectory("regressions");
        compare(RegressionCases.all(root), "regression");
    }

    static void compare(List<StackGenerator.Case> cases, String what) throws Exception {
        StringBuilder jobs = new StringBuilder();
        for (StackGenerator.Case c : cases) {
            Files.createDirectories(c.dir());
            for (Map.Entry<String, String> f : c.files().entrySet()) {
                Files.writeString(c.dir().resolve(f.getKey()), f.getValue(), StandardCharsets.ISO_8859_1);
            }
            jobs.append(c.id()).append(' ').append(c.dir()).append(' ').append(c.service()).append(' ')
                    .append(c.user()).append(' ').append(c.ops()).append('\n');
        }
        Map<Integer, String> libpam = runDriver(jobs.toString());
        List<String> mismatches = new ArrayList<>();
        int operations = 0;
        java.util.TreeMap<String, Integer> outcomes = new java.util.TreeMap<>();
        for (StackGenerator.Case c : cases) {
            Engine engine = runEngine(c);
            operations += c.ops().length();
            String expected = libpam.get(c.id());
            if (expected != null && expected.startsWith("signal")) {
                outcomes.merge("libpam crashed", 1, Integer::sum);
            } else if ("timeout".equals(expected)) {
                outcomes.merge("libpam did not finish", 1, Integer::sum);
            } else if (expected != null && expected.startsWith("start")) {
                outcomes.merge("pam_start " + PamCodes.name(Integer.parseInt(expected.substring(6))), 1, Integer::sum);
            } else if (expected != null) {
                for (String code : expected.split(" ")) {
                    outcomes.merge(PamCodes.name(Integer.parseInt(code)), 1, Integer::sum);
                }
            }
            if (engine.codes().equals("undefined")) {
                outcomes.merge("libpam undefined, engine refused", 1, Integer::sum);
            } else if (!engine.codes().equals(expected)) {
                mismatches.add(describe(c, expected, engine));
            }
        }
        System.out.printf("differential %s: compared %d stacks, %d operations against libpam; %d mismatches%n",
                what, cases.size(), operations, mismatches.size());
        System.out.println("  libpam results seen: " + outcomes);
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " of " + cases.size() + " stacks differ from libpam; first ones:\n\n"
                    + String.join("\n\n", mismatches.subList(0, Math.min(4, mismatches.size()))));
        }
        assertTrue(operations >= cases.size() * 3L, "too few operations compared");
    }

    record Engine(String codes, String trace) {}

    static Engine runEngine(StackGenerator.Case c) {
        // dlopen(3) of a path that does not exist fails: the standard resolver, a stand-in that
        // knows modules by name, is told so here. This machine is the one modelled, so pam_java.so
        // is there only if libpam's module directory holds it.
        PamStack stack = PamStack.of(ConfigSource.directory(c.dir(), Path.of("/etc/pam.d")))
                .withOnlyModules(new ModuleResolver() {
                    @Override
                    public java.util.Optional<org.pamjava.PamModule> resolve(String path, List<String> args) {
                        return dlopen(path, args);
                    }

                    @Override
                    public boolean installed(String path) {
                        return isFile(path.startsWith("/") ? path : LIBPAM_MODULE_DIR + path);
                    }
                });
        StackTransaction pam;
        try {
            pam = stack.start(c.service(), c.user().equals("-") ? null : c.user(), DifferentialTest::answerEverything);
        } catch (PamException e) {
            PamConfig config = stack.config(c.service());
            // libpam does not return on these: the driver's child dies of SIGSEGV in pam_start.
            // Past the expansion bound libpam keeps reading for minutes or for ever: the driver's timeout.
            // Undefined in libpam (memory it never set): nothing to compare; the engine refuses.
            return new Engine(config.libpamCrashes() ? "signal 11" : config.libpamUndefined() ? "undefined"
                    : config.expansionWork() > PamConfigParser.MAX_EXPANSION_WORK ? "timeout"
                    : "start " + e.pamCode(), config.toString());
        }
        StringBuilder codes = new StringBuilder();
        for (char op : c.ops().toCharArray()) {
            int rc = switch (op) {
                case 'a' -> pam.authenticate(0);
                case 's' -> pam.setcred(0);
                case 'm' -> pam.acctMgmt(0);
                case 'o' -> pam.openSession(0);
                case 'c' -> pam.closeSession(0);
                case 'p' -> pam.chauthtok(0);
                default -> throw new IllegalArgumentException("op " + op);
            };
            codes.append(codes.isEmpty() ? "" : " ").append(rc);
        }
        pam.end(PamConstants.PAM_SUCCESS);
        StringBuilder trace = new StringBuilder(pam.config().toString());
        pam.trace().forEach(t -> trace.append("\n    ").append(t));
        return new Engine(codes.toString(), trace.toString());
    }

    private static java.util.Optional<org.pamjava.PamModule> dlopen(String path, List<String> args) {
        if (path.contains("/") && !isFile(path)) {
            return java.util.Optional.empty();
        }
        return ModuleResolver.standard().resolve(path, args);
    }

    private static boolean isFile(String path) {
        try {
            return Files.isRegularFile(Path.of(path));
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private static char[] answerEverything(Message m) {
        return m.msgStyle() == PamConstants.PAM_PROMPT_ECHO_ON || m.msgStyle() == PamConstants.PAM_PROMPT_ECHO_OFF
                ? "answer".toCharArray() : null;
    }

    private static Map<Integer, String> runDriver(String jobs) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(driver.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread writer = Thread.ofVirtual().start(() -> {
            try (var in = p.getOutputStream()) {
                in.write(jobs.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        writer.join();
        assertEquals(0, p.waitFor(), "pam_driver failed");
        Map<Integer, String> results = new HashMap<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                int space = line.indexOf(' ');
                results.put(Integer.parseInt(line.substring(0, space)), line.substring(space + 1));
            }
        }
        return results;
    }

    private static String describe(StackGenerator.Case c, String expected, Engine engine) {
        StringBuilder sb = new StringBuilder("case " + c.id() + " in " + c.dir() + ": service " + c.service()
                + ", user " + c.user() + ", ops " + c.ops() + "\n  libpam: " + expected + "\n  engine: " + engine.codes());
        c.files().forEach((name, text) -> sb.append("\n  --- ").append(name).append('\n')
                .append(text.strip().indent(4).stripTrailing()));
        sb.append("\n  engine trace:\n").append(engine.trace().indent(4).stripTrailing());
        return sb.toString();
    }

    static Path freshDirectory(String name) throws IOException {
        Path dir = Path.of("target", name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }
}
