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

    /**
     * One line of the command's own, with status 2. {@code run} is the application and copies its
     * syslog to stderr ("pam-java[PID]: ..."): libpam's own reasons for a failed pam_start come
     * before that line, and are not the command's.
     */
    private void assertError(String expected, String... args) throws IOException, InterruptedException {
        PamJavaCommand.Result r = PamJavaCommand.run(tmp, args);
        assertEquals(2, r.status(), r.toString());
        List<String> own = r.errLines().stream().filter(l -> !SYSLOG_COPY.matcher(l).matches()).toList();
        assertEquals(1, own.size(), r.toString());
        assertTrue(own.getFirst().startsWith("pam-java") && own.getFirst().contains(expected), r.toString());
        assertEquals("", r.out(), r.toString());
        if (args[0].equals("run") && expected.startsWith("pam_start")) {
            assertTrue(r.errLines().stream().anyMatch(l -> SYSLOG_COPY.matcher(l).matches()),
                    "libpam's own lines about it, copied from syslog: " + r);
        }
    }

    /** A syslog record {@code run} copies to its stderr (openlog's LOG_PERROR, ident pam-java, LOG_PID). */
    private static final java.util.regex.Pattern SYSLOG_COPY = java.util.regex.Pattern.compile("pam-java\\[\\d+\\]: .*");
}
