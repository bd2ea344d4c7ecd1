package org.pamjava.runtime;

/**
 * The C library's NSS functions, one attempt each with the buffer size {@link NssLookups} gives:
 * the raw port behind {@link org.pamjava.Nss}. Two implementations: pam_java.so's JNI natives in
 * process (pam-java-host's {@code HostNss}: no method handles, so a cold JVM's first lookup is
 * cheap) and {@code java.lang.foreign} downcalls in the resident service ({@link NativeNss}). They
 * only call and copy bytes; what a return means, how buffers grow, the caps and the decoding are
 * {@link NssLookups}', the same for both, so the two cannot differ.
 *
 * <p>A lookup ({@link #getpwnam} and the others) returns the C function's own return value (0 or
 * an error number, {@code ERANGE} when {@code bufferSize} was too small), {@link #NO_ENTRY} for a
 * 0 return with a NULL result, or one of this interface's negative codes. Only on 0 are the
 * out-arrays filled: text fields as the bytes before their NUL (null for a NULL pointer), ids as
 * C's unsigned 32-bit values in a Java {@code int}. The password fields are not copied: no entry
 * type has one.
 */
public interface NssSource {
    /** The call returned 0 and a NULL result: there is no such entry. */
    int NO_ENTRY = -1;
    /** The back end ran out of memory (a C buffer, or a Java array: then an OutOfMemoryError is pending too). */
    int OUT_OF_MEMORY = -2;
    /** The back end refused its arguments (an out-array too short, a buffer size below 1, a NUL in a name). */
    int BAD_ARGUMENT = -3;

    /** How many text fields a passwd entry has: pw_name, pw_gecos, pw_dir, pw_shell, in that order. */
    int PASSWD_FIELDS = 4;

    /** getpwnam_r(3) of {@code name} (UTF-8, no NUL): {@code fields} as {@link #PASSWD_FIELDS}, {@code ids} = pw_uid, pw_gid. */
    int getpwnam(byte[] name, int bufferSize, byte[][] fields, int[] ids);

    /** getpwuid_r(3): as {@link #getpwnam}. */
    int getpwuid(int uid, int bufferSize, byte[][] fields, int[] ids);

    /** getgrnam_r(3): {@code fields[0]} = gr_name, {@code ids[0]} = gr_gid, {@code members[0]} = gr_mem's names. */
    int getgrnam(byte[] name, int bufferSize, byte[][] fields, int[] ids, byte[][][] members);

    /** getgrgid_r(3): as {@link #getgrnam}. */
    int getgrgid(int gid, int bufferSize, byte[][] fields, int[] ids, byte[][][] members);

    /**
     * getgrouplist(3) of {@code user} with {@code groups.length} slots: its return value (the
     * number of ids put in {@code groups}, or -1 when they did not fit), {@code count[0]} = the
     * count the call reported; or {@link #OUT_OF_MEMORY} or {@link #BAD_ARGUMENT} (below -1).
     */
    int getgrouplist(byte[] user, int primary, int[] groups, int[] count);

    /** strerror(3) of {@code errnum} as bytes, or null. */
    byte[] strerror(int errnum);
}
