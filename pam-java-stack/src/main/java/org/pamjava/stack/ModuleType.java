package org.pamjava.stack;

import java.util.Locale;
import java.util.Optional;
import org.pamjava.PamOperation;

/** The four rule types (management groups) of pam.conf(5). */
public enum ModuleType {
    /** {@code auth}: pam_authenticate(3) and pam_setcred(3). */
    AUTH("auth"),
    /** {@code account}: pam_acct_mgmt(3). */
    ACCOUNT("account"),
    /** {@code password}: pam_chauthtok(3). */
    PASSWORD("password"),
    /** {@code session}: pam_open_session(3) and pam_close_session(3). */
    SESSION("session");

    private final String keyword;

    ModuleType(String keyword) {
        this.keyword = keyword;
    }

    /** The keyword as written in configuration files. */
    public String keyword() {
        return keyword;
    }

    /** The type named by {@code word}, compared case-insensitively as libpam does. */
    public static Optional<ModuleType> fromKeyword(String word) {
        String lower = word.toLowerCase(Locale.ROOT);
        for (ModuleType t : values()) {
            if (t.keyword.equals(lower)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The rule type whose stack {@code operation} runs. */
    public static ModuleType of(PamOperation operation) {
        return switch (operation) {
            case AUTHENTICATE, SETCRED -> AUTH;
            case ACCT_MGMT -> ACCOUNT;
            case OPEN_SESSION, CLOSE_SESSION -> SESSION;
            case CHAUTHTOK -> PASSWORD;
        };
    }
}
