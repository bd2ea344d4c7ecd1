package org.pamjava.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The {@code pam-java} command: {@code run}, {@code simulate}, {@code check}, {@code new},
 * {@code demo} and {@code status}. Exit status: 0 when everything asked for succeeded, 1 when a
 * PAM operation failed or a check found errors, 2 when the command could not do its job (one line
 * on stderr says why); {@code status} has codes of its own (StatusCommand).
 */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int ERROR = 2;

    private static final String HELP = """
            usage: pam-java COMMAND [ARG...]

            Commands:
              run       a real PAM transaction through libpam, prompting on the terminal
                        (--trace: what each rule of the real stack returned, and what libpam did)
              simulate  the same through pam_java's Java engine, with a trace of every rule
              check     find mistakes in PAM configuration files
              new       create a PAM module in Java with its test, ready to build
              demo      a real PAM transaction with the example TOTP module
              status    whether root applications use the resident service, and its figures

            'pam-java COMMAND --help' describes a command. 'pam-java --version' prints the version.
            """;

    /** One subcommand. */
    @FunctionalInterface
    interface Command {
        int run(List<String> args) throws UsageException, IOException;
    }

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        // The engine reads an include loop as libpam does, recursing until "a thousand files are
        // open"; that needs more stack than the main thread has.
        int[] status = {ERROR};
        Thread worker = new Thread(null, () -> status[0] = run(List.of(args)), "pam-java", 512L << 20);
        worker.start();
        worker.join();
        System.out.flush();
        System.exit(status[0]);
    }

    static int run(List<String> args) {
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")
                || args.getFirst().equals("help")) {
            System.out.print(HELP);
            return args.isEmpty() ? ERROR : OK;
        }
        String name = args.getFirst();
        if (name.equals("--version")) {
            System.out.println("pam-java " + Installation.version());
            return OK;
        }
        Command command = switch (name) {
            case "run" -> RunCommand::run;
            case "simulate" -> SimulateCommand::run;
            case "check" -> CheckCommand::run;
            case "new" -> NewCommand::run;
            case "demo" -> DemoCommand::run;
            case "status" -> StatusCommand::run;
            default -> null;
        };
        if (command == null) {
            System.err.println("pam-java: unknown command '" + name + "' (commands: run simulate check new demo status)");
            return ERROR;
        }
        try {
            return command.run(args.subList(1, args.size()));
        } catch (UsageException e) {
            System.err.println("pam-java " + e.getMessage());
            return ERROR;
        } catch (IOException | UncheckedIOException e) {
            System.err.println("pam-java " + name + ": " + e.getMessage());
            return ERROR;
        } catch (RuntimeException e) {
            System.err.println("pam-java " + name + ": " + e);
            return ERROR;
        }
    }
}
