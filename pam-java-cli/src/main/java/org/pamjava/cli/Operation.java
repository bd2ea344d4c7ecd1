package org.pamjava.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pamjava.PamConstants;
import org.pamjava.client.PamTransaction;
import org.pamjava.stack.PamOperation;

/** The operations {@code run} and {@code simulate} take, named as on their command lines. */
enum Operation {
    AUTH("auth", "authenticate", PamOperation.AUTHENTICATE),
    SETCRED("setcred", "setcred", PamOperation.SETCRED),
    ACCT("acct", "acct_mgmt", PamOperation.ACCT_MGMT),
    OPEN("open", "open_session", PamOperation.OPEN_SESSION),
    CLOSE("close", "close_session", PamOperation.CLOSE_SESSION),
    CHAUTHTOK("chauthtok", "chauthtok", PamOperation.CHAUTHTOK);

    /** What {@code run} and {@code simulate} do without operations: a login's check (never authenticate alone). */
    static final List<Operation> DEFAULT = List.of(AUTH, ACCT);

    private final String word;
    private final String pamtesterWord;
    private final PamOperation engine;

    Operation(String word, String pamtesterWord, PamOperation engine) {
        this.word = word;
        this.pamtesterWord = pamtesterWord;
        this.engine = engine;
    }

    /** The name printed with results, e.g. {@code "acct"}. */
    String word() {
        return word;
    }

    /** The engine's operation. */
    PamOperation engine() {
        return engine;
    }

    /** Runs this operation through libpam; setcred establishes credentials, as login does. */
    int run(PamTransaction pam) {
        return switch (this) {
            case AUTH -> pam.authenticate(0);
            case SETCRED -> pam.setcred(PamConstants.PAM_ESTABLISH_CRED);
            case ACCT -> pam.acctMgmt(0);
            case OPEN -> pam.openSession(0);
            case CLOSE -> pam.closeSession(0);
            case CHAUTHTOK -> pam.chauthtok(0);
        };
    }

    /** Runs this operation on the engine, with the same flags as {@link #run}. */
    int simulate(org.pamjava.stack.PamTransaction pam) {
        return switch (this) {
            case AUTH -> pam.authenticate(0);
            case SETCRED -> pam.setcred(PamConstants.PAM_ESTABLISH_CRED);
            case ACCT -> pam.acctMgmt(0);
            case OPEN -> pam.openSession(0);
            case CLOSE -> pam.closeSession(0);
            case CHAUTHTOK -> pam.chauthtok(0);
        };
    }

    /** The operations named by {@code words} (pamtester's names are accepted too); the default when none. */
    static List<Operation> parse(String command, List<String> words) throws UsageException {
        if (words.isEmpty()) {
            return DEFAULT;
        }
        List<Operation> ops = new ArrayList<>();
        for (String w : words) {
            ops.add(of(command, w));
        }
        return ops;
    }

    private static Operation of(String command, String word) throws UsageException {
        String lower = word.toLowerCase(Locale.ROOT);
        for (Operation op : values()) {
            if (op.word.equals(lower) || op.pamtesterWord.equals(lower)) {
                return op;
            }
        }
        throw new UsageException(command + ": unknown operation '" + word
                + "' (operations: auth setcred acct open close chauthtok)");
    }
}
