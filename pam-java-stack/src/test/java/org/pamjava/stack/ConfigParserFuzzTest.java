package org.pamjava.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The configuration parser under a fuzzer, with libpam as the oracle: configuration text from the
 * seed corpus ({@code src/test/resources/config-fuzz-corpus}) and from {@link StackGenerator},
 * mutated byte by byte (characters flipped, cut, repeated, and libpam's own tokens and pitfalls
 * inserted: continuations, brackets, comments, NUL, CR, bytes over 0x7f, lines over 1023 bytes,
 * includes with and without names), is run through Linux-PAM itself by the batch driver
 * (pam_start_confdir, one forked child per case, so a libpam crash is a result) and through the
 * engine; every return code of every operation, pam_start's failure, or libpam's crash must be the
 * same. The suite runs a fixed seed for a few seconds; {@code scripts/fuzz-java-config.sh --cases N [SEED]} runs
 * longer (system properties {@code pamjava.fuzz.cases} and {@code pamjava.fuzz.seed}).
 */
class ConfigParserFuzzTest {

    static final long SEED = Long.getLong("pamjava.fuzz.seed", 20261201L);
    static final int CASES = Integer.getInteger("pamjava.fuzz.cases", 1200);
    /** Cases per driver run: bounds the files on disk at once. */
    static final int BATCH = 2000;

    private static final String[] TOKENS = {" ", "\t", "\n", "\\\n", "\\", "#", "[", "]", "=", "\\]", "\\[", "-",
        "auth", "account", "password", "session", "AUTH", "required", "requisite", "sufficient", "optional",
        "include", "substack", "@include", "-@include", "include ", "substack ", "[success=ok default=bad]",
        "[default=die]", "[success=1]", "[success=2 default=ignore]", "[ignore=reset]", "success=", "default=",
        "pam_permit.so", "pam_deny.so", "pam_debug.so auth=auth_err", "pam_debug.so", "pam_missing.so", "?",
        "/", ".so", "\0", "\r", "\f", "\u00e9", "\u00ff", "\u0085", "\u00a0", "other"};

    @BeforeAll
    static void compileDriver() throws Exception {
        DifferentialTest.compileDriver();
    }

    @Test
    void mutatedConfigurationsGiveTheSameResultsAsLibpam() throws Exception {
        Path root = DifferentialTest.freshDirectory("config-fuzz");
        Random rnd = new Random(SEED);
        StackGenerator generator = new StackGenerator(SEED);
        List<String> corpus = corpus();
        int done = 0;
        while (done < CASES) {
            List<StackGenerator.Case> batch = new ArrayList<>();
            for (int i = 0; i < BATCH && done < CASES; i++, done++) {
                Path dir = root.resolve(Integer.toString(done % BATCH));
                batch.add(mutate(done, dir, rnd, corpus, generator));
            }
            DifferentialTest.compare(batch, "fuzzed (seed " + SEED + ", cases " + (done - batch.size()) + ".." + (done - 1)
                    + ", corpus " + corpus.size() + ")");
            DifferentialTest.freshDirectory("config-fuzz");
        }
    }

    /** The seed corpus: one login file per entry; "$DIR" stands for the case's directory. */
    static List<String> corpus() throws IOException {
        Path dir = Path.of("src/test/resources/config-fuzz-corpus");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> texts = new ArrayList<>();
            for (Path p : files.sorted().toList()) {
                texts.add(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
            return texts;
        }
    }

    private static StackGenerator.Case mutate(int id, Path dir, Random rnd, List<String> corpus, StackGenerator generator) {
        Map<String, String> files = new LinkedHashMap<>();
        StackGenerator.Case base = generator.next(id, dir);
        String user = base.user();
        String ops = base.ops();
        if (rnd.nextBoolean()) {
            // login and other include inc0, inc0 includes inc1, inc1 nothing that exists: no cycle,
            // since libpam never finishes a file that includes itself twice (the engine's bound
            // for that is IncludeExpansionTest's).
            files.put("login", pick(rnd, corpus));
            files.put("inc0", pick(rnd, corpus).replace("$DIR/inc0", "$DIR/inc1"));
            files.put("inc1", pick(rnd, corpus).replace("$DIR/inc0", "$DIR/none"));
            if (rnd.nextDouble() < 0.3) {
                files.put("other", pick(rnd, corpus));
            }
        } else {
            files.putAll(base.files());
        }
        Map<String, String> mutated = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            String text = f.getValue().replace("$DIR", dir.toString());
            int rounds = rnd.nextInt(5);
            for (int r = 0; r < rounds; r++) {
                text = mutateOnce(text, rnd, dir.resolve(includeTarget(f.getKey())));
            }
            mutated.put(f.getKey(), text);
        }
        return new StackGenerator.Case(id, dir, mutated, rnd.nextDouble() < 0.05 ? "LOGIN" : "login", user, ops);
    }

    /** The file an inserted include in {@code file} names: always a later one, so includes never loop. */
    private static String includeTarget(String file) {
        return file.startsWith("inc") ? "inc" + (Integer.parseInt(file.substring(3)) + 1) : "inc0";
    }

    private static String mutateOnce(String text, Random rnd, Path target) {
        int at = text.isEmpty() ? 0 : rnd.nextInt(text.length() + 1);
        StringBuilder sb = new StringBuilder(text);
        switch (rnd.nextInt(8)) {
            case 0 -> { // replace one character by any byte
                if (at < sb.length()) {
                    sb.setCharAt(at, (char) rnd.nextInt(256));
                }
            }
            case 1 -> sb.delete(at, Math.min(sb.length(), at + 1 + rnd.nextInt(8)));
            case 2 -> { // repeat a stretch
                int end = Math.min(sb.length(), at + 1 + rnd.nextInt(40));
                sb.insert(at, sb.substring(at, end));
            }
            case 3 -> sb.insert(at, "\n" + includeLine(rnd, target) + "\n");
            case 4 -> sb.insert(at, "x".repeat(900 + rnd.nextInt(300)));
            default -> sb.insert(at, TOKENS[rnd.nextInt(TOKENS.length)]);
        }
        return sb.toString();
    }

    private static String includeLine(Random rnd, Path file) {
        String[] types = {"auth", "account", "session", "password", "-auth"};
        String target = rnd.nextDouble() < 0.1 ? "" : " " + file;
        return switch (rnd.nextInt(3)) {
            case 0 -> types[rnd.nextInt(types.length)] + " include" + target;
            case 1 -> types[rnd.nextInt(types.length)] + " substack" + target;
            default -> "@include" + target;
        };
    }

    private static String pick(Random rnd, List<String> options) {
        return options.get(rnd.nextInt(options.size()));
    }
}
