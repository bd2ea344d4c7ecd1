package org.pamjava;

import java.util.List;
import java.util.Map;

/**
 * A module's view of one PAM transaction (C's {@code pam_handle_t}): items, the PAM environment,
 * the application's conversation, and a few libpam services.
 *
 * <p>Every method maps to one libpam call made on the running transaction. A failing call throws
 * {@link PamException} carrying libpam's code. Items read as {@code null} when unset (C {@code NULL})
 * and are cleared by setting {@code null}. Text crosses the C boundary as UTF-8; bytes that are not
 * valid UTF-8 give a {@link PamException} with {@link #PAM_BAD_ITEM} rather than garbled text.
 *
 * <p>The handle is valid only on the thread running the current operation, and only during it
 * (libpam is not thread-safe). A module may keep the object in a field between operations of the
 * same transaction: the runtime hands it the same handle each time.
 */
public interface PamHandle extends PamConstants {

    /** The {@link #PAM_USER} item: the user name; pam_get_item(3). */
    String getUser();

    /** Sets the {@link #PAM_USER} item; pam_set_item(3). */
    void setUser(String user);

    /**
     * The {@link #PAM_AUTHTOK} item: the password or other token being authenticated or the new
     * token being set. Only modules can read it. Prefer {@link #getAuthtokChars()}, which does not
     * create an immutable {@code String} copy of the secret.
     */
    String getAuthtok();

    /** Sets the {@link #PAM_AUTHTOK} item (only modules may). */
    void setAuthtok(String authtok);

    /**
     * The {@link #PAM_AUTHTOK} item as a fresh {@code char[]} the caller owns and should wipe
     * ({@code Arrays.fill(chars, '\0')}) when done, or {@code null} when unset.
     */
    char[] getAuthtokChars();

    /** The {@link #PAM_OLDAUTHTOK} item: the old token during a password change. */
    String getOldauthtok();

    /** Sets the {@link #PAM_OLDAUTHTOK} item (only modules may). */
    void setOldauthtok(String oldauthtok);

    /** The {@link #PAM_OLDAUTHTOK} item as a {@code char[]} the caller should wipe, or {@code null}. */
    char[] getOldauthtokChars();

    /** The {@link #PAM_RHOST} item: the remote host name. */
    String getRhost();

    /** Sets the {@link #PAM_RHOST} item. */
    void setRhost(String rhost);

    /** The {@link #PAM_RUSER} item: the requesting user name. */
    String getRuser();

    /** Sets the {@link #PAM_RUSER} item. */
    void setRuser(String ruser);

    /** The {@link #PAM_SERVICE} item: the service name given to pam_start(3). */
    String getService();

    /** Sets the {@link #PAM_SERVICE} item. */
    void setService(String service);

    /** The {@link #PAM_TTY} item: the terminal name. */
    String getTty();

    /** Sets the {@link #PAM_TTY} item. */
    void setTty(String tty);

    /** The {@link #PAM_USER_PROMPT} item: the prompt pam_get_user(3) uses. */
    String getUserPrompt();

    /** Sets the {@link #PAM_USER_PROMPT} item. */
    void setUserPrompt(String userPrompt);

    /** The {@link #PAM_XDISPLAY} item: the X display name. */
    String getXdisplay();

    /** Sets the {@link #PAM_XDISPLAY} item. */
    void setXdisplay(String xdisplay);

    /** The {@link #PAM_AUTHTOK_TYPE} item: the word put in password prompts ("UNIX", "LDAP"...). */
    String getAuthtokType();

    /** Sets the {@link #PAM_AUTHTOK_TYPE} item. */
    void setAuthtokType(String authtokType);

    /** The {@link #PAM_XAUTHDATA} item, or {@code null} when unset. */
    XAuthData getXAuthData();

    /** Sets the {@link #PAM_XAUTHDATA} item; {@code null} clears it. */
    void setXAuthData(XAuthData xauthdata);

    /**
     * The PAM environment as a live map: reads go to pam_getenv(3) and pam_getenvlist(3), writes to
     * pam_putenv(3). Iteration follows libpam's order. Keys must be non-empty and contain no
     * {@code '='} ({@link IllegalArgumentException} otherwise); values must not be null
     * ({@link NullPointerException}).
     */
    Map<String, String> environment();

    /**
     * Sends one message through the application's conversation function (pam_conv(3)) and returns
     * its reply.
     *
     * @throws PamException with {@link #PAM_CONV_ERR} (or the code the application returned) when
     *     the conversation fails
     */
    Response conversation(Message message);

    /**
     * Sends several messages in one conversation call and returns the replies in the same order.
     *
     * @param messages 1 to {@link #PAM_MAX_NUM_MSG} messages
     */
    List<Response> conversation(List<Message> messages);

    /**
     * Asks libpam to delay a failed authentication by up to {@code microseconds} (pam_fail_delay(3):
     * the unit is microseconds, whatever pam_python's manual says).
     */
    void failDelay(int microseconds);

    /**
     * The user name, asking the application with {@code prompt} if it is not yet known
     * (pam_get_user(3)). A {@code null} prompt uses the {@link #PAM_USER_PROMPT} item or libpam's
     * default.
     */
    String getUser(String prompt);

    /** pam_strerror(3): libpam's description of a PAM code. */
    String strerror(int errnum);

    /** The version of Linux-PAM pam_java was built against, for example {@code "1.5.2"}. */
    String libpamVersion();

    /** The address of the C {@code pam_handle_t}, for diagnostics. */
    long pamh();

    /**
     * {@code true} when pam_java created the JVM of this process, {@code false} when the process was
     * already running Java (a Java application calling libpam); pam_python's {@code py_initialized}.
     * In the resident service (see {@link PamModule}) it is {@code true}: pam_java started that JVM.
     */
    boolean jvmInitialized();
}
