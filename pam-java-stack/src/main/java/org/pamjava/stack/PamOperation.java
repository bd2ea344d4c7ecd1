package org.pamjava.stack;

/** The six stack operations an application can ask of libpam, and the rule type each one runs. */
public enum PamOperation {
    /** pam_authenticate(3). */
    AUTHENTICATE(ModuleType.AUTH),
    /** pam_setcred(3): replays the chain frozen by the last {@link #AUTHENTICATE}. */
    SETCRED(ModuleType.AUTH),
    /** pam_acct_mgmt(3). */
    ACCT_MGMT(ModuleType.ACCOUNT),
    /** pam_open_session(3). */
    OPEN_SESSION(ModuleType.SESSION),
    /** pam_close_session(3): replays the chain frozen by the last {@link #OPEN_SESSION}. */
    CLOSE_SESSION(ModuleType.SESSION),
    /** pam_chauthtok(3): two passes, {@code PAM_PRELIM_CHECK} then {@code PAM_UPDATE_AUTHTOK}. */
    CHAUTHTOK(ModuleType.PASSWORD);

    private final ModuleType type;

    PamOperation(ModuleType type) {
        this.type = type;
    }

    /** The rule type whose stack this operation runs. */
    public ModuleType type() {
        return type;
    }

    /** Whether this operation replays the chain frozen by its partner operation. */
    boolean replaysFrozenChain() {
        return this == SETCRED || this == CLOSE_SESSION;
    }
}
