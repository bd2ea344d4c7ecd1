package org.pamjava.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.pamjava.PamConstants;
import org.pamjava.client.PamTransaction;

/**
 * {@code pam-java demo}: a real PAM transaction through libpam whose {@code auth} rule runs the
 * example TOTP module in pam_java.so, answered once with the right code and once with a wrong one.
 */
final class DemoCommand {
    static final String HELP = """
            usage: pam-java demo

            Writes a PAM service into a private temporary directory (pam_start_confdir: /etc/pam.d is
            not touched) whose auth rule runs the example TOTP module through this installation's
            pam_java.so, then runs it through the system's libpam in this very process: alice answers
            the module's prompt with the right code (authenticated, account checked), then with a wrong
            one (refused, after the module's 2-second fail delay). Exit status 0 when both go as
            expected.
            """;
    private static final String SECRET = "JBSWY3DPEHPK3PXP";
    private static final String SERVICE = "pam-java-demo";

    private DemoCommand() {}

    static int run(List<String> argv) throws UsageException, IOException {
        Arguments args = Arguments.parse("demo", argv, Set.of(), Set.of());
        if (args.help()) {
            System.out.print(HELP);
            return Main.OK;
        }
        if (!args.operands().isEmpty()) {
            throw new UsageException("demo: takes no arguments");
        }
        Path pamJava = Installation.pamJavaSo();
        Path module = Installation.share().resolve("examples/totp/TotpModule.java");
        if (!Files.isRegularFile(module)) {
            throw new UsageException("demo: the example module is missing: " + module);
        }
        Path dir = Files.createTempDirectory("pam-java-demo", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Path secrets = Files.writeString(dir.resolve("totp.secrets"), "alice:" + SECRET + "\n");
            Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
            Path pamd = Files.createDirectory(dir.resolve("pam.d"));
            String service = "auth    required " + pamJava + " " + module + " secrets=" + secrets + "\n"
                    + "account required pam_permit.so\n";
            Files.writeString(pamd.resolve(SERVICE), service);
            System.out.println("== PAM service (" + pamd.resolve(SERVICE) + "):");
            service.lines().forEach(line -> System.out.println("   " + line));

            String code = TotpCode.now(SECRET);
            String wrong = String.format("%06d", (Integer.parseInt(code) + 1) % 1_000_000);
            System.out.println("== alice answers the module's prompt with the right code (" + code + "):");
            boolean rightAccepted = login(pamd, code, true) == PamConstants.PAM_SUCCESS;
            System.out.println("== alice answers with a wrong code (" + wrong + "):");
            boolean wrongRefused = login(pamd, wrong, false) == PamConstants.PAM_AUTH_ERR;
            return rightAccepted && wrongRefused ? Main.OK : Main.FAILED;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** One transaction: authenticate with {@code answer}, then (when asked and it succeeded) the account check. */
    private static int login(Path pamd, String answer, boolean checkAccount) {
        try (PamTransaction pam = PamTransaction.start(SERVICE, "alice", message -> {
            System.out.println("   conv " + message.msgStyle() + " " + message.msg());
            return message.msgStyle() == PamConstants.PAM_PROMPT_ECHO_OFF || message.msgStyle() == PamConstants.PAM_PROMPT_ECHO_ON
                    ? answer.toCharArray() : null;
        }, pamd)) {
            int rc = pam.authenticate(0);
            System.out.println("   auth " + rc + " " + pam.strerror(rc));
            if (checkAccount && rc == PamConstants.PAM_SUCCESS) {
                rc = pam.acctMgmt(0);
                System.out.println("   acct " + rc + " " + pam.strerror(rc));
            }
            return rc;
        }
    }
}
