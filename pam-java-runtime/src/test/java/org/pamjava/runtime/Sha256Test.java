package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Sha256Test {
    @Test
    void matchesTheFipsExamples() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                HexFormat.of().formatHex(Sha256.digest("abc".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                HexFormat.of().formatHex(Sha256.digest(new byte[0])));
    }

    @Test
    void matchesMessageDigestForEveryLengthAroundTheBlockBoundaries() throws Exception {
        Random random = new Random(42);
        MessageDigest reference = MessageDigest.getInstance("SHA-256");
        for (int length = 0; length < 300; length++) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            assertArrayEquals(reference.digest(data), Sha256.digest(data), "length " + length);
        }
        byte[] large = new byte[1 << 20];
        random.nextBytes(large);
        assertArrayEquals(reference.digest(large), Sha256.digest(large));
    }
}
