package org.pamjava.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The frame decoder's fuzz target ({@link ResidentFrameFuzzTarget}) from a fixed seed: the seed
 * corpus as it is, then {@value #EXECUTIONS} inputs mutated from it by a deterministic mutator
 * (bit flips, boundary integers written over length fields, inserted, deleted, repeated and spliced
 * runs, truncation), the same inputs in every run. The coverage-guided long run is Jazzer's:
 * {@code bash scripts/fuzz-java-resident.sh}. {@code -Dpamjava.fuzz.executions=N} runs this one longer.
 */
class ResidentFrameFuzzTest {
    static final int EXECUTIONS = 20_000;
    private static final long SEED = 14;
    private static final int[] BOUNDARY = {0, 1, -1, 4, 5, 255, 4096, 4097, ResidentProtocol.MAX_FRAME,
        ResidentProtocol.MAX_FRAME + 1, ResidentProtocol.MAX_FRAME - 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x8000,
        ResidentProtocol.Call.MAX_ARGS, ResidentProtocol.Call.MAX_ARGS + 1};

    @org.junit.jupiter.api.BeforeAll
    static void warmUp() {
        ResidentFrameFuzzTarget.fuzzerInitialize();
    }

    static Map<String, byte[]> corpus() throws IOException, URISyntaxException {
        Path dir = Path.of(ResidentFrameFuzzTest.class.getResource("resident-frames").toURI());
        Map<String, byte[]> seeds = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                seeds.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return seeds;
    }

    @Test
    void theSeedCorpusDecodesAsItsNamesSay() throws Exception {
        Map<String, byte[]> seeds = corpus();
        assertEquals(1, ResidentFrameFuzzTarget.decode(seeds.get("call-auth")));
        // The application never sends a frame before the last is answered: two at once are an error.
        assertEquals(0, ResidentFrameFuzzTarget.decode(seeds.get("call-then-end")));
        assertEquals(1, ResidentFrameFuzzTarget.decode(seeds.get("reply-env-list")));
        assertEquals(0, ResidentFrameFuzzTarget.decode(seeds.get("claims-the-most")));
        assertEquals(0, ResidentFrameFuzzTarget.decode(seeds.get("zero-length")));
    }

    @Test
    void anyBytesGiveFramesOrAProtocolErrorAndCostWhatTheyBring() throws Exception {
        Map<String, byte[]> seeds = corpus();
        List<byte[]> pool = List.copyOf(seeds.values());
        int executions = Integer.getInteger("pamjava.fuzz.executions", EXECUTIONS);
        Random random = new Random(SEED);
        int frames = 0;
        for (int i = 0; i < pool.size() + executions; i++) {
            byte[] input = i < pool.size() ? pool.get(i) : mutate(pool, random);
            try {
                frames += ResidentFrameFuzzTarget.decode(input);
            } catch (RuntimeException | Error e) {
                fail("input " + HexFormat.of().formatHex(input) + " (" + input.length + " bytes): " + e, e);
            }
        }
        System.out.printf("resident frame fuzz (fixed seed %d): %d executions, corpus %d seeds, %d frames decoded%n",
                SEED, pool.size() + executions, pool.size(), frames);
        assertTrue(frames > 0);
    }

    /** One to four mutations of a corpus entry. */
    static byte[] mutate(List<byte[]> pool, Random random) {
        byte[] b = pool.get(random.nextInt(pool.size())).clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++) {
            b = switch (random.nextInt(7)) {
                case 0 -> flipBit(b, random);
                case 1 -> boundaryInt(b, random);
                case 2 -> insert(b, random);
                case 3 -> delete(b, random);
                case 4 -> repeat(b, random);
                case 5 -> splice(b, pool.get(random.nextInt(pool.size())), random);
                default -> java.util.Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length));
            };
        }
        return b.length > 65_536 ? java.util.Arrays.copyOf(b, 65_536) : b;
    }

    private static byte[] flipBit(byte[] b, Random random) {
        if (b.length > 0) {
            b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return b;
    }

    private static byte[] boundaryInt(byte[] b, Random random) {
        if (b.length < 4) {
            return b;
        }
        int at = random.nextInt(b.length - 3);
        ByteBuffer.wrap(b).putInt(at, BOUNDARY[random.nextInt(BOUNDARY.length)]);
        return b;
    }

    private static byte[] insert(byte[] b, Random random) {
        byte[] extra = new byte[1 + random.nextInt(16)];
        random.nextBytes(extra);
        int at = random.nextInt(b.length + 1);
        return ByteBuffer.allocate(b.length + extra.length).put(b, 0, at).put(extra).put(b, at, b.length - at).array();
    }

    private static byte[] delete(byte[] b, Random random) {
        if (b.length == 0) {
            return b;
        }
        int at = random.nextInt(b.length);
        int n = 1 + random.nextInt(Math.min(16, b.length - at));
        return ByteBuffer.allocate(b.length - n).put(b, 0, at).put(b, at + n, b.length - at - n).array();
    }

    private static byte[] repeat(byte[] b, Random random) {
        if (b.length == 0) {
            return b;
        }
        int at = random.nextInt(b.length);
        int n = 1 + random.nextInt(b.length - at);
        int times = 1 + random.nextInt(4);
        ByteBuffer out = ByteBuffer.allocate(b.length + n * times).put(b, 0, at + n);
        for (int t = 0; t < times; t++) {
            out.put(b, at, n);
        }
        return out.put(b, at + n, b.length - at - n).array();
    }

    private static byte[] splice(byte[] b, byte[] other, Random random) {
        int keep = random.nextInt(b.length + 1);
        int from = random.nextInt(other.length + 1);
        return ByteBuffer.allocate(keep + other.length - from).put(b, 0, keep).put(other, from, other.length - from).array();
    }
}
