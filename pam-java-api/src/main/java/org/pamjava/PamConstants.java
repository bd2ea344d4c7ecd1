package org.pamjava;

/**
 * Every {@code PAM_*} constant of the installed Linux-PAM headers ({@code <security/_pam_types.h>},
 * {@code <security/pam_modules.h>}, {@code <security/_pam_compat.h>}), with the C names and values.
 *
 * <p>{@link PamHandle} extends this interface, so a module may write {@code pamh.PAM_SUCCESS} as in
 * pam_python, or {@code import static org.pamjava.PamConstants.*} and write {@code PAM_SUCCESS}.
 */
public interface PamConstants {
    // Return codes, pam(3).
    int PAM_SUCCESS = 0;
    int PAM_OPEN_ERR = 1;
    int PAM_SYMBOL_ERR = 2;
    int PAM_SERVICE_ERR = 3;
    int PAM_SYSTEM_ERR = 4;
    int PAM_BUF_ERR = 5;
    int PAM_PERM_DENIED = 6;
    int PAM_AUTH_ERR = 7;
    int PAM_CRED_INSUFFICIENT = 8;
    int PAM_AUTHINFO_UNAVAIL = 9;
    int PAM_USER_UNKNOWN = 10;
    int PAM_MAXTRIES = 11;
    int PAM_NEW_AUTHTOK_REQD = 12;
    int PAM_ACCT_EXPIRED = 13;
    int PAM_SESSION_ERR = 14;
    int PAM_CRED_UNAVAIL = 15;
    int PAM_CRED_EXPIRED = 16;
    int PAM_CRED_ERR = 17;
    int PAM_NO_MODULE_DATA = 18;
    int PAM_CONV_ERR = 19;
    int PAM_AUTHTOK_ERR = 20;
    int PAM_AUTHTOK_RECOVERY_ERR = 21;
    /** The older spelling of {@link #PAM_AUTHTOK_RECOVERY_ERR}, kept by {@code _pam_compat.h}. */
    int PAM_AUTHTOK_RECOVER_ERR = PAM_AUTHTOK_RECOVERY_ERR;
    int PAM_AUTHTOK_LOCK_BUSY = 22;
    int PAM_AUTHTOK_DISABLE_AGING = 23;
    int PAM_TRY_AGAIN = 24;
    int PAM_IGNORE = 25;
    int PAM_ABORT = 26;
    int PAM_AUTHTOK_EXPIRED = 27;
    int PAM_MODULE_UNKNOWN = 28;
    int PAM_BAD_ITEM = 29;
    int PAM_CONV_AGAIN = 30;
    int PAM_INCOMPLETE = 31;
    /** The number of return codes: every valid code is in {@code [0, _PAM_RETURN_VALUES)}. */
    int _PAM_RETURN_VALUES = 32;

    // Flags passed to the operations, pam_authenticate(3), pam_setcred(3), pam_chauthtok(3).
    int PAM_SILENT = 0x8000;
    int PAM_DISALLOW_NULL_AUTHTOK = 0x0001;
    int PAM_ESTABLISH_CRED = 0x0002;
    int PAM_DELETE_CRED = 0x0004;
    int PAM_REINITIALIZE_CRED = 0x0008;
    int PAM_REFRESH_CRED = 0x0010;
    int PAM_CHANGE_EXPIRED_AUTHTOK = 0x0020;
    /** Set by libpam on the first of the two passes of pam_chauthtok(3). */
    int PAM_PRELIM_CHECK = 0x4000;
    /** Set by libpam on the second of the two passes of pam_chauthtok(3). */
    int PAM_UPDATE_AUTHTOK = 0x2000;

    // Items, pam_get_item(3).
    int PAM_SERVICE = 1;
    int PAM_USER = 2;
    int PAM_TTY = 3;
    int PAM_RHOST = 4;
    int PAM_CONV = 5;
    int PAM_AUTHTOK = 6;
    int PAM_OLDAUTHTOK = 7;
    int PAM_RUSER = 8;
    int PAM_USER_PROMPT = 9;
    int PAM_FAIL_DELAY = 10;
    int PAM_XDISPLAY = 11;
    int PAM_XAUTHDATA = 12;
    int PAM_AUTHTOK_TYPE = 13;

    // pam_set_data(3) cleanup status bits.
    int PAM_DATA_SILENT = 0x40000000;
    int PAM_DATA_REPLACE = 0x20000000;

    // Conversation message styles, pam_conv(3).
    int PAM_PROMPT_ECHO_OFF = 1;
    int PAM_PROMPT_ECHO_ON = 2;
    int PAM_ERROR_MSG = 3;
    int PAM_TEXT_INFO = 4;
    int PAM_RADIO_TYPE = 5;
    int PAM_BINARY_PROMPT = 7;

    // Conversation limits, pam_conv(3).
    int PAM_MAX_NUM_MSG = 32;
    int PAM_MAX_MSG_SIZE = 512;
    int PAM_MAX_RESP_SIZE = 512;
}
