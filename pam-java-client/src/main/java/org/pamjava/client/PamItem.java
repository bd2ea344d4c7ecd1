package org.pamjava.client;

import org.pamjava.PamConstants;

/**
 * The text items an application may read and set on a transaction (pam_get_item(3),
 * pam_set_item(3)). {@code PAM_AUTHTOK} and {@code PAM_OLDAUTHTOK} are not among them: libpam
 * gives them to modules only. {@code PAM_XAUTHDATA} has methods of its own on
 * {@link PamTransaction}.
 */
public enum PamItem {
    /** {@code PAM_SERVICE}: the service name given to pam_start. */
    SERVICE(PamConstants.PAM_SERVICE),
    /** {@code PAM_USER}: the user being authenticated. */
    USER(PamConstants.PAM_USER),
    /** {@code PAM_TTY}: the terminal, for example {@code /dev/tty1} or {@code ssh}. */
    TTY(PamConstants.PAM_TTY),
    /** {@code PAM_RHOST}: the remote host the request comes from. */
    RHOST(PamConstants.PAM_RHOST),
    /** {@code PAM_RUSER}: the remote (requesting) user. */
    RUSER(PamConstants.PAM_RUSER),
    /** {@code PAM_USER_PROMPT}: the prompt pam_get_user(3) uses, {@code "login: "} by default. */
    USER_PROMPT(PamConstants.PAM_USER_PROMPT),
    /** {@code PAM_XDISPLAY}: the X display. */
    XDISPLAY(PamConstants.PAM_XDISPLAY),
    /** {@code PAM_AUTHTOK_TYPE}: the word put in password prompts ("Enter new UNIX password"). */
    AUTHTOK_TYPE(PamConstants.PAM_AUTHTOK_TYPE);

    private final int itemType;

    PamItem(int itemType) {
        this.itemType = itemType;
    }

    /** The {@code item_type} number libpam uses, for example {@code PAM_USER} (2). */
    public int itemType() {
        return itemType;
    }
}
