package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The guard of the tests that write /etc tells scripts/private-system.sh's copy from the machine. */
class PrivateSystemTest {
    @Test
    void theGuardTellsThePrivateCopyFromTheMachine() throws Exception {
        String here = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
        assertNotNull(PrivateSystem.missing(here), "the machine's own namespace must never pass for a private one");
        String machine = System.getenv(PrivateSystem.MARKER);
        if (machine != null) {
            assertNull(PrivateSystem.missing(machine), "scripts/private-system.sh ran this test");
        } else {
            assertNotNull(PrivateSystem.missing(null), "outside scripts/private-system.sh, /etc is the machine's");
        }
    }
}
