package org.pamjava.appit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every subcommand shares: {@code --help}, and errors as one clear line with a non-zero status. */
class CommandLineTest {
    @TempDir
    Path tmp;

    @Test
    void everySubcommandHasHelp() throws Exception {
        for (String command : List.of("run", "simulate", "check", "new", "demo", "status")) {
            PamJavaCommand.Result r = PamJavaCommand.run(tmp, command, "--help");
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.out().startsWith("usage: pam-java " + command), r.toString());
            assertEquals("", r.err());
        }
        PamJavaCommand.Result top = PamJavaCommand.run(tmp, "--help");
        assertEquals(0, top.status());
        assertTrue(top.out().contains("simulate") && top.out().contains("check") && top.out().contains("status"),
                top.toString());
    }

    @Test
    void mistakesGiveOneLineAndStatusTwo() throws Exception {
        assertError("unknown command 'frob'", "frob");
        assertError("SERVICE and USER are required", "run", "login");
        assertError("unknown option --bogus", "simulate", "--bogus", "login", "alice");
        assertError("is not a directory", "run", "--confdir", tmp.resolve("missing").toString(), "login", "alice");
        assertError("unknown operation 'frobnicate'", "simulate", "login", "alice", "frobnicate");
        assertError("--answer needs a value", "simulate", "login", "alice", "--answer");
        assertError("does not exist", "check", tmp.resolve("missing").toString());
        assertError("is not a Java class name", "new", "9lives");
        assertError("--assume takes MODULE=RESULT", "simulate", "--assume", "pam_unix.so=maybe", "login", "alice");
        assertError("pam_start(nothing)", "run", "--confdir", tmp.toString(), "nothing", "alice");
        assertError("status: takes no operands", "status", "now");
        assertError("unknown option --socket", "status", "--socket", "/run/x.sock");
    }

    private void assertError(String expected, String... args) throws IOException, InterruptedException {
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, args);
        assertEquals(2, r.status(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().startsWith("pam-java") && r.err().contains(expected), r.toString());
        assertEquals("", r.out(), r.toString());
    }
}
