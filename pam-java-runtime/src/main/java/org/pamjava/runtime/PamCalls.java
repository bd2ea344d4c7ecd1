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

    byte[] strerror(long pamh, int errnum);

    /** pam_syslog(3) inside a PAM call on pamh, syslog(3) otherwise; {@code message} is one record ({@link SyslogRecords}). */
    void log(long pamh, int priority, byte[] message);

    boolean jvmInitialized();

    /** Zeroes the characters of {@code secret} in place (a String of a password, at pam_end). */
    void wipeString(String secret);
}
