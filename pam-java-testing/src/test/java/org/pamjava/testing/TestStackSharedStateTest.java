package org.pamjava.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.PamConstants;

/** A TestStack is the process of the modules declaring shared state: one state per version across its transactions. */
class TestStackSharedStateTest {
    /**
     * Says which state it has (a random id) and how many calls that state has seen; its close
     * appends the id to "closed" beside the module; its state fails to initialise while "fail" is there.
     */
    private static final String COUNTER = """
            import java.nio.file.*;
            import java.util.List;
            import java.util.concurrent.atomic.AtomicInteger;
            import org.pamjava.*;
            @SharedState(Counter.Calls.class)
            public class Counter implements PamModule {
                public static final class Calls implements ModuleState {
                    final AtomicInteger calls = new AtomicInteger();
                    final String id = java.util.UUID.randomUUID().toString();
                    public Calls() {
                        if (Files.exists(beside("fail"))) throw new IllegalStateException("not today");
                    }
                    @Override public void close() {
                        try {
                            Files.writeString(beside("closed"), id + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                        } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
                    }
                    static Path beside(String name) {
                        try { return Path.of(Calls.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolveSibling(name); }
                        catch (java.net.URISyntaxException e) { throw new IllegalStateException(e); }
                    }
                }
                private final Calls calls;
                public Counter(Calls calls) { this.calls = calls; }
                @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                    pamh.conversation(new Message(PamConstants.PAM_TEXT_INFO, calls.id + " " + calls.calls.incrementAndGet()));
                    return PamConstants.PAM_SUCCESS;
                }
            }
            """;

    @TempDir
    Path dir;

    private TestStack stack() throws Exception {
        Path module = Files.writeString(dir.resolve("Counter.java"), COUNTER);
        return TestStack.service("login", "auth required pam_java.so " + module + "\n");
    }

    /** One transaction's authenticate, ended: what the module said ("ID N"), split. */
    private static String[] login(TestStack stack) {
        try (TestTransaction pam = stack.start("alice")) {
            OperationResult result = pam.authenticate();
            assertEquals(PamConstants.PAM_SUCCESS, result.pamCode(), result.describe());
            return result.messages().getFirst().msg().split(" ");
        }
    }

    private List<String> closed() throws Exception {
        Path closed = dir.resolve("closed");
        return Files.exists(closed) ? Files.readAllLines(closed) : List.of();
    }

    @Test
    void transactionsOfOneStackShareTheStateUntilTheStackIsClosed() throws Exception {
        String[] first;
        String[] second;
        String[] derived;
        try (TestStack stack = stack()) {
            first = login(stack);
            second = login(stack);
            derived = login(stack.file("other", "auth required pam_permit.so\n"));
            assertEquals(List.of(), closed());
        }
        assertEquals(first[0], second[0], "the same state");
        assertEquals(List.of("1", "2", "3"), List.of(first[1], second[1], derived[1]));
        assertEquals(first[0], derived[0], "a stack made from the first shares its process");
        assertEquals(List.of(first[0]), closed(), "closed with the stack");
    }

    @Test
    void anotherStackIsAnotherProcess() throws Exception {
        try (TestStack one = stack(); TestStack two = TestStack.service("login", "auth required pam_java.so "
                + dir.resolve("Counter.java") + "\n")) {
            assertNotEquals(login(one)[0], login(two)[0]);
        }
    }

    @Test
    void aChangedModuleGetsANewStateAndTheOldOneClosesWithItsLastTransaction() throws Exception {
        try (TestStack stack = stack()) {
            TestTransaction open = stack.start("alice");
            open.authenticate();
            String old = open.conversation().messages().getFirst().msg().split(" ")[0];
            Files.writeString(dir.resolve("Counter.java"), COUNTER + "// version 2\n");
            String[] current = login(stack);
            assertNotEquals(old, current[0]);
            assertEquals("1", current[1]);
            assertEquals(List.of(), closed(), "a transaction of the old version is still open");
            open.close();
            assertEquals(List.of(old), closed());
        }
    }

    @Test
    void aStateThatFailsToInitialiseFailsClosedAndIsTriedAgain() throws Exception {
        Files.writeString(dir.resolve("fail"), "");
        try (TestStack stack = stack()) {
            try (TestTransaction pam = stack.start("alice")) {
                assertEquals(PamConstants.PAM_SERVICE_ERR, pam.authenticate().pamCode());
            }
            Files.delete(dir.resolve("fail"));
            assertEquals("1", login(stack)[1]);
        }
    }
}
