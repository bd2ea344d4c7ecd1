package org.pamjava.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pamjava.PamConstants;
import org.pamjava.PamOperation;
import org.pamjava.client.PamTransaction;
import org.pamjava.stack.StackTransaction;

/** The operations {@code run} and {@code simulate} take, as named on their command lines, and how each runs. */
final class OperationWords {
    /** What {@code run} and {@code simulate} do without operations: a login's check (never authenticate alone). */
    static final List<PamOperation> DEFAULT = List.of(PamOperation.AUTHENTICATE, PamOperation.ACCT_MGMT);

    private OperationWords() {}

    /** The name printed with results, e.g. {@code "acct"}. */
    static String word(PamOperation op) {
        return switch (op) {
            case AUTHENTICATE -> "auth";
            case SETCRED -> "setcred";
            case ACCT_MGMT -> "acct";
            case OPEN_SESSION -> "open";
            case CLOSE_SESSION -> "close";
            case CHAUTHTOK -> "chauthtok";
        };
    }

    /** pamtester's name for it, accepted on the command line too, e.g. {@code "acct_mgmt"}. */
    static String pamtesterWord(PamOperation op) {
        return switch (op) {
            case AUTHENTICATE -> "authenticate";
            case SETCRED -> "setcred";
            case ACCT_MGMT -> "acct_mgmt";
            case OPEN_SESSION -> "open_session";
            case CLOSE_SESSION -> "close_session";
            case CHAUTHTOK -> "chauthtok";
        };
    }

    /** The flags both {@code run} and {@code simulate} pass: setcred establishes credentials, as login does. */
    static int flags(PamOperation op) {
        return op == PamOperation.SETCRED ? PamConstants.PAM_ESTABLISH_CRED : 0;
    }

    /** Runs {@code op} through libpam. */
    static int run(PamOperation op, PamTransaction pam) {
        int flags = flags(op);
        return switch (op) {
            case AUTHENTICATE -> pam.authenticate(flags);
            case SETCRED -> pam.setcred(flags);
            case ACCT_MGMT -> pam.acctMgmt(flags);
            case OPEN_SESSION -> pam.openSession(flags);
            case CLOSE_SESSION -> pam.closeSession(flags);
            case CHAUTHTOK -> pam.chauthtok(flags);
        };
    }

    /** Runs {@code op} on the engine, with the same flags as {@link #run}. */
    static int simulate(PamOperation op, StackTransaction pam) {
        int flags = flags(op);
        return switch (op) {
            case AUTHENTICATE -> pam.authenticate(flags);
            case SETCRED -> pam.setcred(flags);
            case ACCT_MGMT -> pam.acctMgmt(flags);
            case OPEN_SESSION -> pam.openSession(flags);
            case CLOSE_SESSION -> pam.closeSession(flags);
            case CHAUTHTOK -> pam.chauthtok(flags);
        };
    }

    /** The operations named by {@code words} (pamtester's names are accepted too); the default when none. */
    static List<PamOperation> parse(String command, List<String> words) throws UsageException {
        if (words.isEmpty()) {
            return DEFAULT;
        }
        List<PamOperation> ops = new ArrayList<>();
        for (String w : words) {
            ops.add(of(command, w));
        }
        return ops;
    }

    private static PamOperation of(String command, String word) throws UsageException {
        String lower = word.toLowerCase(Locale.ROOT);
        for (PamOperation op : PamOperation.values()) {
            if (word(op).equals(lower) || pamtesterWord(op).equals(lower)) {
                return op;
            }
        }
        throw new UsageException(command + ": unknown operation '" + word
                + "' (operations: auth setcred acct open close chauthtok)");
    }
}
