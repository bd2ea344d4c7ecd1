package org.pamjava.stack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An include loop ends as libpam's does, when files can no longer be opened (the innermost include
 * becomes a rule that always fails), and without a stack overflow on an ordinary thread.
 */
class IncludeLoopTest {
    @Test
    void aFileThatIncludesItselfIsRefusedOnAnOrdinaryThreadStack() throws Exception {
        Map<String, String> files = Map.of(
                "loop", "auth include loop\n",
                "svc", "auth include loop\naccount required pam_permit.so\n");
        PamConfig[] config = new PamConfig[1];
        // 256 KiB: smaller than a default thread stack, as a test kit user's thread may have.
        Thread parser = new Thread(null, () -> config[0] = PamStack.of(ConfigSource.files(files)).config("svc"),
                "small-stack", 256 * 1024);
        parser.start();
        parser.join();
        assertTrue(config[0] != null, "the parser did not finish (stack overflow?)");
        assertTrue(config[0].diagnostics().toString().contains("unable to open config for loop"),
                config[0].diagnostics().toString());
    }
}
