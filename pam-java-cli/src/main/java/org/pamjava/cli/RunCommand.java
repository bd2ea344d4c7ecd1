package org.pamjava.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamOperation;
import org.pamjava.client.PamItem;
import org.pamjava.client.PamTransaction;

/** {@code pam-java run}: a real PAM transaction through libpam, like pamtester. */
final class RunCommand {
    static final String HELP = """
            usage: pam-java run [--confdir DIR] [--item NAME=VALUE]... [--no-log] [--trace [--json]]
                                SERVICE USER [OPERATION...]

            Runs the operations, in order, on one PAM transaction through the system's libpam
            (pam_start, or pam_start_confdir with --confdir), whatever the earlier ones return, and
            prints each result: "auth: 0 PAM_SUCCESS (Success)". The modules' prompts are asked on
            the terminal (without echo for passwords); with stdin not a terminal, each prompt is
            answered by the next line of stdin. What the modules and pam_java log (why a module was
            refused, a compiler's messages, an exception's trace, libpam's own lines) is printed on
            stderr as well as sent to syslog, so it shows on a machine without a syslog daemon.

            OPERATION: auth setcred acct open close chauthtok (default: auth acct)
            --confdir DIR        read the configuration from DIR instead of /etc/pam.d
            --item NAME=VALUE    set a PAM item first; NAME: tty rhost ruser xdisplay user_prompt authtok_type
            --no-log             do not copy syslog records to stderr (syslog still gets them)
            --trace              the same transaction through the real libpam and modules, and for every
                                 rule run: what its module returned, the action libpam took and the
                                 stack's state after it, in simulate's table (see man pam-java, TRACING:
                                 it runs a private copy of the configuration whose rules go through a
                                 tracing module)
            --json               with --trace: simulate's JSON object, with "disagreements"; prompts
                                 and information then go to stderr (stdout is the JSON alone)

            Exit status: 0 if every operation returned PAM_SUCCESS, 1 if one did not, 2 on errors
            (with --trace: also when pam-java's engine disagrees with what libpam did).
            """;

    private RunCommand() {}

    static int run(List<String> argv) throws UsageException {
        Arguments args = Arguments.parse("run", argv, Set.of("--confdir", "--item"),
                Set.of("--no-log", "--trace", "--json"));
        if (args.help()) {
            System.out.print(HELP);
            return Main.OK;
        }
        if (args.operands().size() < 2) {
            throw new UsageException("run: SERVICE and USER are required (see pam-java run --help)");
        }
        String service = args.operands().get(0);
        String user = args.operands().get(1);
        List<PamOperation> operations = OperationWords.parse("run", args.operands().subList(2, args.operands().size()));
        Map<PamItem, String> items = Items.parse("run", args.all("--item"));
        Path confdir = args.value("--confdir") == null ? null : Path.of(args.value("--confdir"));
        if (confdir != null && !Files.isDirectory(confdir)) {
            throw new UsageException("run: --confdir " + confdir + " is not a directory");
        }
        if (args.flag("--json") && !args.flag("--trace")) {
            throw new UsageException("run: --json goes with --trace");
        }
        if (!args.flag("--no-log")) {
            StderrLog.copySyslogToStderr(); // this process is the application: its syslog is its own to copy
        }
        if (args.flag("--trace")) {
            return TracedRun.run(service, user, operations, items, confdir, args.flag("--json"));
        }
        int status = Main.OK;
        try (PamTransaction pam = PamTransaction.start(service, user, new TerminalConversation(System.out), confdir)) {
            for (Map.Entry<PamItem, String> item : items.entrySet()) {
                pam.setItem(item.getKey(), item.getValue());
            }
            for (PamOperation op : operations) {
                int rc = OperationWords.run(op, pam);
                System.out.println(result(op, rc, pam.strerror(rc)));
                System.out.flush();
                if (rc != PamConstants.PAM_SUCCESS) {
                    status = Main.FAILED;
                }
            }
        } catch (PamException e) {
            throw new UsageException("run: " + e.getMessage());
        }
        return status;
    }

    /** One result line, the same for {@code run} and {@code simulate}: {@code "auth: 7 PAM_AUTH_ERR (Authentication failure)"}. */
    static String result(PamOperation op, int code, String text) {
        return OperationWords.word(op) + ": " + code + " " + org.pamjava.stack.PamCodes.name(code) + " (" + text + ")";
    }
}
