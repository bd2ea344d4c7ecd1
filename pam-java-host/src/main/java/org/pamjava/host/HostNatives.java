package org.pamjava.host;

import org.pamjava.runtime.PamCalls;
import org.pamjava.runtime.Utf8;

/**
 * The libpam services pam_java.so gives Java, as JNI natives it registers itself (no library
 * loading, no java.lang.foreign start-up cost). Each returns a PAM code, or {@link PamCalls#NOT_IN_CALL}
 * when used from a thread that is not running a PAM call on that handle; results come back in
 * one-element out-arrays. Text is raw bytes: {@link Utf8} decodes it.
 */
final class HostNatives {
    private HostNatives() {}

    static native int getItem(long pamh, int item, byte[][] out);

    static native int setItem(long pamh, int item, byte[] value);

    /** out[0] = name, out[1] = data; both null when the item is unset. */
    static native int getXauthData(long pamh, byte[][] out);

    /** A null name clears the item. */
    static native int setXauthData(long pamh, byte[] name, byte[] data);

    static native int getEnv(long pamh, byte[] name, byte[][] out);

    /** pam_putenv(3): "NAME=value" sets, "NAME" removes. */
    static native int putEnv(long pamh, byte[] nameValue);

    /** pam_getenvlist(3) as "NAME=value" entries, or null on failure. */
    static native byte[][] getEnvList(long pamh);

    /** Runs the application's conversation function on the application's thread. */
    static native int conversation(long pamh, int[] styles, byte[][] messages, byte[][] replies, int[] retCodes);

    static native int failDelay(long pamh, int microseconds);

    static native int getUser(long pamh, byte[] prompt, byte[][] out);

    /** libpam's pam_get_authtok family (PamCalls.getAuthtok), run on the application's thread. */
    static native int getAuthtok(long pamh, int which, byte[] prompt, byte[][] out);

    static native byte[] strerror(long pamh, int errnum);

    /** pam_syslog(3) when called inside a PAM call on pamh, syslog(3) otherwise; LOG_AUTHPRIV. */
    static native void log(long pamh, int priority, byte[] message);

    static native boolean jvmInitialized();

    /** Zeroes the characters of {@code secret} in place (a String of a password, at pam_end). */
    static native void wipeString(String secret);

    // The C library's NSS lookups (pam-java-shim's nss.c), one attempt each: HostNss, NssSource.

    static native int getpwnam(byte[] name, int bufferSize, byte[][] fields, int[] ids);

    static native int getpwuid(int uid, int bufferSize, byte[][] fields, int[] ids);

    static native int getgrnam(byte[] name, int bufferSize, byte[][] fields, int[] ids, byte[][][] members);

    static native int getgrgid(int gid, int bufferSize, byte[][] fields, int[] ids, byte[][][] members);

    static native int getgrouplist(byte[] user, int primary, int[] groups, int[] count);

    /** strerror(3), not pam_strerror(3). */
    static native byte[] nssStrerror(int errnum);
}
