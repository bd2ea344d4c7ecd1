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

    /**
     * The token being authenticated (or, in {@code chauthtok}, the new one), as libpam's
     * pam_get_authtok(3) gets it for {@link #PAM_AUTHTOK}: it is libpam's own function, run as the
     * module of the current rule. The item when a module before this one set it; otherwise a
     * question to the user, whose answer becomes the item. The rule's arguments steer it as they
     * steer pam_unix: {@code use_first_pass} (and in {@code chauthtok} {@code use_authtok}) never
     * asks, and fails when there is no item ({@link #PAM_AUTH_ERR}; {@link #PAM_AUTHTOK_ERR} in
     * {@code chauthtok}); {@code try_first_pass} is what happens without an argument anyway: the
     * item when there is one, else the question. In {@code chauthtok} only,
     * {@code authtok_type=WORD} (else the {@link #PAM_AUTHTOK_TYPE} item) is put in the prompts
     * ("New WORD password: ", "Retype new WORD password: "), and the argument sets that item.
     *
     * <p>In {@code chauthtok} it asks twice ("New password: ", then "Retype new password: "); a
     * mismatch shows "Sorry, passwords do not match." and throws {@link PamException} with
     * {@link #PAM_TRY_AGAIN}, leaving the item unset; a token got this way counts as verified for
     * {@link #verifyAuthtokChars(String)}. libpam does not look at the pass: during
     * {@link #PAM_PRELIM_CHECK} a module would normally not ask for the new token, but in the
     * {@link #PAM_UPDATE_AUTHTOK} pass. Prompts are libpam's own, in the application's language
     * where libpam has a translation (the test kit's are libpam's English ones).
     *
     * <pre>{@code
     * char[] password = pamh.getAuthtokChars(null);
     * try { return check(user, password) ? PAM_SUCCESS : PAM_AUTH_ERR; }
     * finally { Arrays.fill(password, '\0'); }
     * }</pre>
     *
     * @param prompt the question to ask, or {@code null} for libpam's ("Password: ", and in
     *     {@code chauthtok} "New password: "); with a prompt of its own the retype question is
     *     "Retype " followed by it. It is shown as it is, never as a format string
     * @return the token, never {@code null}
     * @throws PamException with libpam's code when there is no token: the user gave none, or the
     *     conversation failed ({@link #PAM_AUTHTOK_ERR}, whatever the conversation's own code; in
     *     {@code chauthtok} after showing "Password change has been aborted."), a mismatch
     *     ({@link #PAM_TRY_AGAIN}), {@code use_first_pass} or {@code use_authtok} without an item
     *     (above); a token longer than 512 KiB, the bound of every conversation's replies, is
     *     {@link #PAM_AUTHTOK_ERR} too
     */
    String getAuthtok(String prompt);

    /**
     * {@link #getAuthtok(String)} as a fresh {@code char[]} the caller owns and should wipe: no
     * {@code String} copy of the secret is made.
     */
    char[] getAuthtokChars(String prompt);

    /**
     * pam_get_authtok(3) for {@link #PAM_OLDAUTHTOK}: the current password, asked once unless the
     * item is set: "Current password: " (in {@code chauthtok} "Current WORD password: " with the
     * {@code authtok_type=WORD} argument or {@link #PAM_AUTHTOK_TYPE} item), or {@code prompt}.
     * {@code use_first_pass} without the item fails with {@link #PAM_AUTH_ERR} (even in
     * {@code chauthtok}); {@code use_authtok} does not apply; no answer is {@link #PAM_AUTHTOK_ERR}.
     *
     * @return the old token as a {@code char[]} to wipe, never {@code null}
     * @throws PamException with libpam's code when there is none
     */
    char[] getOldauthtokChars(String prompt);

    /**
     * pam_get_authtok_noverify(3): in {@code chauthtok}, the new token asked once ("New password: "
     * or {@code prompt}), without the retype question, for a module that checks its strength
     * first and then calls {@link #verifyAuthtokChars(String)} (as pam_pwquality does); the
     * arguments and failures are {@link #getAuthtokChars(String)}'s. Elsewhere it is
     * {@link #getAuthtokChars(String)}.
     *
     * @return the new token as a {@code char[]} to wipe, never {@code null}
     */
    char[] getAuthtokNoverifyChars(String prompt);

    /**
     * pam_get_authtok_verify(3): in {@code chauthtok}, asks the user to retype the new token (the
     * {@link #PAM_AUTHTOK} item, which {@link #getAuthtokNoverifyChars(String)} got), unless this
     * handle already verified it (libpam remembers that for the handle, until an unprompted
     * new-password question). A mismatch shows "Sorry, passwords do not match.", unsets
     * {@link #PAM_AUTHTOK} and throws {@link PamException} with {@link #PAM_TRY_AGAIN}; no answer
     * (or a failed conversation) unsets it too, shows "Password change has been aborted." and
     * gives {@link #PAM_AUTHTOK_ERR}.
     *
     * @param prompt the first question's own prompt, so the question is "Retype " followed by
     *     it, or {@code null} for libpam's ("Retype new password: ", "Retype new WORD password: "
     *     with the {@link #PAM_AUTHTOK_TYPE} item)
     * @return the verified token as a {@code char[]} to wipe
     * @throws PamException with {@link #PAM_AUTHTOK_ERR} when there is no {@link #PAM_AUTHTOK} to
     *     verify (nothing is asked: libpam itself would read through a null pointer), else outside
     *     {@code chauthtok} with {@link #PAM_SYSTEM_ERR}
     */
    char[] verifyAuthtokChars(String prompt);

    /**
     * pam_prompt(3): asks the user one question (a conversation of one message) and returns the
     * answer ({@code null} when the application gave none). {@code text} is shown as it is: it is
     * never a format string, so a {@code %} in a user name is harmless; build it with
     * {@code String.format} where needed.
     *
     * @param style {@link #PAM_PROMPT_ECHO_OFF} (a secret: the String is wiped at pam_end),
     *     {@link #PAM_PROMPT_ECHO_ON}, {@link #PAM_ERROR_MSG} or {@link #PAM_TEXT_INFO}
     * @throws PamException with {@link #PAM_CONV_ERR} (or the application's code) when the
     *     conversation fails
     */
    String prompt(int style, String text);

    /**
     * pam_info(3): shows {@code text} to the user as information ({@link #PAM_TEXT_INFO}), as it
     * is (never a format string). Like libpam's, it does not look at {@link #PAM_SILENT}: a module
     * skips it when {@code flags} has that flag.
     *
     * @throws PamException when the conversation fails
     */
    void info(String text);

    /**
     * pam_error(3): shows {@code text} to the user as an error ({@link #PAM_ERROR_MSG}), as it is
     * (never a format string); like {@link #info(String)}, it does not look at {@link #PAM_SILENT}.
     *
     * @throws PamException when the conversation fails
     */
    void error(String text);

    /**
     * pam_syslog(3): writes one record to syslog at {@code level} ({@link Syslog#LOG_ERR} ...
     * {@link Syslog#LOG_DEBUG}) with the {@code LOG_AUTHPRIV} facility, the application's name
     * and pid and the prefix {@code pam_java(SERVICE:TYPE): }, whether the module runs in the
     * application or in the resident service. The message is one record whatever it holds: line
     * breaks and other control characters are written escaped as rsyslog escapes them (a newline
     * is {@code #012}, ESC {@code #033}), and a message over 1000 bytes is cut with a marker.
     * {@link Syslog#LOG_DEBUG} records are dropped unless the rule has the {@code debug} argument
     * and this is the thread of its call (the end hook, which pam_end runs outside any rule, has
     * no arguments: its debug records are dropped too).
     *
     * <p>When pam_java created the JVM ({@link #jvmInitialized()} true: in-process from a C
     * application, and in the resident service), {@code System.Logger} and
     * {@code java.util.logging} records logged on a call's thread are written here too, at the
     * mapped level, as are {@code System.out} ({@code LOG_INFO}) and {@code System.err}
     * ({@code LOG_ERR}) lines; a debug logger is loggable only while a call with {@code debug}
     * runs. In a Java application's own JVM they stay the application's (its handlers, its
     * streams): use this method for syslog there.
     *
     * @throws IllegalArgumentException when {@code level} is not a syslog level
     */
    void syslog(int level, String message);

    /**
     * Users and groups through the Name Service Switch (getpwnam_r(3), getgrouplist(3),
     * getgrnam_r(3)), so LDAP and sssd users are found as local ones are.
     */
    Nss nss();

    /**
     * The Java value stored under {@code name} by a Java module of this handle
     * (pam_get_data(3) for Java values), or {@code null} when there is none.
     *
     * <p>Java modules' data is kept apart from libpam's: no name here can read or overwrite what a
     * C module stored with pam_set_data(3), nor the other way round. Every Java module of the
     * handle that runs in the same place sees it: in the application (every rule there, and the
     * rules that say {@code in_process}), or in the resident service (the rules it runs for that
     * application process), but the two places do not see each other's. To share a value between
     * two different module files, store JDK types (a {@code String}, a {@code Map}, a record of
     * the JDK), since each file's own classes are its own. A process the application forks
     * starts with none (its modules start with new instances too).
     *
     * @throws ClassCastException when the value is not a {@code type} (the message names both)
     * @throws NullPointerException when {@code name} or {@code type} is null
     */
    <T> T getData(String name, Class<T> type);

    /**
     * pam_set_data(3) for a Java value: stores {@code value} under {@code name} for the rest of
     * the handle, replacing what was there; a {@code null} value removes it.
     *
     * <p>The value that goes (replaced, or removed by {@code null}) is cleaned up at once with
     * {@code PAM_DATA_REPLACE | PAM_SUCCESS}, as pam_set_data(3) cleans up data it replaces (a C
     * module removes data by storing NULL, which runs the old cleanup so); storing the very same
     * object again does not clean it up, as it does not go. The values left are cleaned up at
     * pam_end(3), after the last Java module's {@link PamModule#end end} hook of the handle there,
     * in the order they were stored. Through the resident service, an application that ends
     * without pam_end (it died, or lost the service) has its values cleaned up with
     * {@code PAM_ABORT | PAM_DATA_SILENT}, so that nothing outlives it in the service.
     *
     * @param cleanup called once when the value goes (see {@link DataCleanup}); may be {@code null}.
     *     What it throws is logged, and the other cleanups still run
     * @throws IllegalStateException when the handle has ended (a cleanup storing a value)
     * @throws NullPointerException when {@code name} is null
     */
    <T> void setData(String name, T value, DataCleanup<? super T> cleanup);

    /** {@link #setData(String, Object, DataCleanup)} with no cleanup. */
    default void setData(String name, Object value) {
        setData(name, value, null);
    }

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
