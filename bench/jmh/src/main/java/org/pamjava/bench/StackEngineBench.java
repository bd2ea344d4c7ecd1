package org.pamjava.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.pamjava.Conversation;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.Response;
import org.pamjava.stack.ConfigSource;
import org.pamjava.stack.PamConfig;
import org.pamjava.stack.PamStack;
import org.pamjava.stack.StackTransaction;

/**
 * The pure-Java stack engine (pam-java-stack) on a typical Debian-style stack: an sshd-like
 * service including common-auth, common-account and common-session, with a conversing Java
 * second factor. Measures parsing the configuration, and a whole transaction (pam_start, which
 * parses, then authenticate, acct_mgmt, open_session, close_session, pam_end).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-XX:+UseSerialGC", "-Xmx96m"})
public class StackEngineBench {
    private static final Map<String, String> FILES = Map.of(
            "sshd", """
                    # PAM configuration for the Secure Shell service
                    @include common-auth
                    auth       required     pam_java.so ConversingModule.java digits=6
                    account    required     pam_permit.so
                    @include common-account
                    session    [success=ok ignore=ignore module_unknown=ignore default=bad] pam_permit.so close
                    @include common-session
                    session    optional     pam_debug.so
                    """,
            "common-auth", """
                    auth    [success=1 default=ignore]      pam_permit.so nullok
                    auth    requisite                       pam_deny.so
                    auth    required                        pam_permit.so
                    auth    optional                        pam_debug.so auth=success
                    """,
            "common-account", """
                    account [success=1 new_authtok_reqd=done default=ignore]        pam_permit.so
                    account requisite                       pam_deny.so
                    account required                        pam_permit.so
                    """,
            "common-session", """
                    session [default=1]                     pam_permit.so
                    session requisite                       pam_deny.so
                    session required                        pam_permit.so
                    session optional                        pam_java.so TrivialModule.java
                    session optional                        pam_debug.so
                    """);

    private static final Conversation ANSWER = m -> m.msgStyle() == PamConstants.PAM_PROMPT_ECHO_OFF
            ? "bench-secret".toCharArray() : null;

    private final PamStack stack = PamStack.of(ConfigSource.files(FILES)).withModules((path, args) -> {
        if (!path.endsWith("pam_java.so")) {
            return Optional.empty();
        }
        return Optional.of(args.get(0).equals("ConversingModule.java") ? new Conversing() : new Trivial());
    });

    @Benchmark
    public PamConfig parse() {
        return stack.config("sshd");
    }

    @Benchmark
    public int transaction() {
        try (StackTransaction pam = stack.start("sshd", "bench", ANSWER)) {
            int rc = pam.authenticate(0) | pam.acctMgmt(0) | pam.openSession(0) | pam.closeSession(0);
            pam.end(rc);
            return rc;
        }
    }

    /** What ConversingModule.java does (bench/modules), as an in-process module. */
    static final class Conversing implements PamModule {
        @Override
        public int authenticate(PamHandle pamh, int flags, List<String> args) {
            String user = pamh.getUser(null);
            Response answer = pamh.conversation(new Message(PamConstants.PAM_PROMPT_ECHO_OFF, "Password: "));
            return "bench".equals(user) && "bench-secret".equals(answer.resp())
                    ? PamConstants.PAM_SUCCESS : PamConstants.PAM_AUTH_ERR;
        }
    }

    /** What TrivialModule.java does. */
    static final class Trivial implements PamModule {
        @Override
        public int openSession(PamHandle pamh, int flags, List<String> args) {
            return PamConstants.PAM_SUCCESS;
        }

        @Override
        public int closeSession(PamHandle pamh, int flags, List<String> args) {
            return PamConstants.PAM_SUCCESS;
        }
    }
}
