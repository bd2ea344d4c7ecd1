package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.pamjava.itsupport.PrivateSystem;

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

    /**
     * In the private copy nothing may land in the machine's /usr (dpkg's database there is the
     * private /var's, so an apt-get inside left files no package owned).
     */
    @Test
    void thePrivateCopyCannotWriteTheMachinesUsr() {
        Assumptions.assumeTrue(System.getenv(PrivateSystem.MARKER) != null, "only inside scripts/private-system.sh");
        Path probe = Path.of("/usr/lib/pam-java-private-system-probe");
        assertThrows(IOException.class, () -> Files.delete(Files.createFile(probe)),
                "/usr must be read-only in the private system");
    }
}
