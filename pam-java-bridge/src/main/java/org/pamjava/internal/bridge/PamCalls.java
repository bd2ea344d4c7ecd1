package org.pamjava.internal.bridge;

/**
 * The libpam services a {@link LibPamHandle} stands on, with {@link LibPam}'s contract: a PAM
 * code per call, {@link LibPam#NOT_IN_CALL} outside the call that owns the handle, results in
 * one-element out-arrays, text as raw bytes. Two implementations: {@link LibPam}'s JNI natives when
 * the module runs inside the PAM application, and {@link ResidentChannel} when it runs in the
 * resident service and the application's pam_java.so answers over a socket.
 */
interface PamCalls {
    int getItem(long pamh, int item, byte[][] out);

    int setItem(long pamh, int item, byte[] value);

    /** out[0] = name, out[1] = data; both null when the item is unset. */
    int getXauthData(long pamh, byte[][] out);

    /** A null name clears the item. */
    int setXauthData(long pamh, byte[] name, byte[] data);

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

    /** The application's own libpam, through the natives pam_java.so registers. */
    PamCalls IN_PROCESS = new InProcess();

    /** A class, not a lambda or proxy: pam_java's call path makes neither (see AotTraining). */
    final class InProcess implements PamCalls {
        @Override public int getItem(long pamh, int item, byte[][] out) { return LibPam.getItem(pamh, item, out); }
        @Override public int setItem(long pamh, int item, byte[] value) { return LibPam.setItem(pamh, item, value); }
        @Override public int getXauthData(long pamh, byte[][] out) { return LibPam.getXauthData(pamh, out); }
        @Override public int setXauthData(long pamh, byte[] name, byte[] data) {
            return LibPam.setXauthData(pamh, name, data);
        }
        @Override public int getEnv(long pamh, byte[] name, byte[][] out) { return LibPam.getEnv(pamh, name, out); }
        @Override public int putEnv(long pamh, byte[] nameValue) { return LibPam.putEnv(pamh, nameValue); }
        @Override public byte[][] getEnvList(long pamh) { return LibPam.getEnvList(pamh); }
        @Override public int conversation(long pamh, int[] styles, byte[][] messages, byte[][] replies, int[] retCodes) {
            return LibPam.conversation(pamh, styles, messages, replies, retCodes);
        }
        @Override public int failDelay(long pamh, int microseconds) { return LibPam.failDelay(pamh, microseconds); }
        @Override public int getUser(long pamh, byte[] prompt, byte[][] out) { return LibPam.getUser(pamh, prompt, out); }
        @Override public byte[] strerror(long pamh, int errnum) { return LibPam.strerror(pamh, errnum); }
        @Override public void log(long pamh, int priority, byte[] message) { LibPam.log(pamh, priority, message); }
        @Override public boolean jvmInitialized() { return LibPam.jvmInitialized(); }
        @Override public void wipeString(String secret) { LibPam.wipeString(secret); }
    }
}
