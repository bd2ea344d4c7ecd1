package org.pamjava.runtime;



/**
 * The libpam services a {@link LibPamHandle} stands on (the runtime's port): a PAM code per call,
 * {@link #NOT_IN_CALL} outside the call that owns the handle, results in one-element out-arrays,
 * text as raw bytes ({@link Utf8} decodes it). Two implementations: the in-process host's JNI
 * natives (pam-java-host's {@code HostCalls}) when the module runs inside the PAM application, and
 * the resident service's channel (pam-java-resident's {@code ResidentChannel}) when it runs there
 * and the application's pam_java.so answers over a socket.
 */
public interface PamCalls {
    /** The handle was used outside the PAM call that owns it. */
    int NOT_IN_CALL = -1;

    int getItem(long pamh, int item, byte[][] out);

    int setItem(long pamh, int item, byte[] value);

    /** out[0] = name, out[1] = data; both null when the item is unset. */
    int getXAuthData(long pamh, byte[][] out);

    /** A null name clears the item. */
    int setXAuthData(long pamh, byte[] name, byte[] data);

    int getEnv(long pamh, byte[] name, byte[][] out);

    /** pam_putenv(3): "NAME=value" sets, "NAME" removes. */
    int putEnv(long pamh, byte[] nameValue);

    /** pam_getenvlist(3) as "NAME=value" entries, or null on failure. */
    byte[][] getEnvList(long pamh);

    /** The application's conversation function, run on the application's own thread. */
    int conversation(long pamh, int[] styles, byte[][] messages, byte[][] replies, int[] retCodes);

    int failDelay(long pamh, int microseconds);

    int getUser(long pamh, byte[] prompt, byte[][] out);

    /** {@link #getAuthtok}'s {@code which}: pam_get_authtok(3) of {@code PAM_AUTHTOK}. */
    int AUTHTOK = 0;
    /** pam_get_authtok(3) of {@code PAM_OLDAUTHTOK}. */
    int OLDAUTHTOK = 1;
    /** pam_get_authtok_noverify(3). */
    int AUTHTOK_NOVERIFY = 2;
    /** pam_get_authtok_verify(3) of the {@code PAM_AUTHTOK} item ({@code PAM_AUTHTOK_ERR} when there is none). */
    int AUTHTOK_VERIFY = 3;

    /**
     * libpam's own pam_get_authtok family, run on the application's thread (it may converse) as
     * the module libpam is running, so the rule's arguments and the operation are libpam's:
     * {@code out[0]} = the token (null unless PAM_SUCCESS), a copy the caller wipes.
     *
     * @param which {@link #AUTHTOK}, {@link #OLDAUTHTOK}, {@link #AUTHTOK_NOVERIFY} or {@link #AUTHTOK_VERIFY}
     * @param prompt null for libpam's prompts
     */
    int getAuthtok(long pamh, int which, byte[] prompt, byte[][] out);

    byte[] strerror(long pamh, int errnum);

    /** pam_syslog(3) inside a PAM call on pamh, syslog(3) otherwise; {@code message} is one record ({@link SyslogRecords}). */
    void log(long pamh, int priority, byte[] message);

    boolean jvmInitialized();

    /** Zeroes the characters of {@code secret} in place (a String of a password, at pam_end). */
    void wipeString(String secret);

    /**
     * The C library's users and groups where the module runs ({@link org.pamjava.PamHandle#nss()}),
     * the same object for every handle of the process: in process pam_java.so's JNI natives
     * (pam-java-host's {@code HostNss}), in the resident service {@code java.lang.foreign}
     * ({@link NativeNss}); both {@link NssLookups}, so they answer alike. The default is for a
     * port with no lookups (a unit test's): it fails closed.
     */
    default org.pamjava.Nss nss() {
        throw new UnsupportedOperationException("this PamCalls has no NSS lookups");
    }
}
