package org.pamjava.host;

import org.pamjava.Nss;
import org.pamjava.runtime.NssLookups;
import org.pamjava.runtime.NssSource;

/**
 * The in-process {@link NssSource}: pam_java.so's JNI natives (pam-java-shim's {@code nss.c},
 * registered on {@link HostNatives}) call getpwnam_r(3) and the others and copy the fields as
 * bytes; {@link NssLookups} does the rest, as it does over the resident service's
 * {@code java.lang.foreign} source. JNI, not java.lang.foreign, because pam_java.so's JVM is a
 * cold one per login: a JNI call costs no start-up, while the first downcall handle of a JVM costs
 * some 0.2 to 0.3 s (docs/architecture.md has the numbers). Loaded at a module's first
 * {@code nss()}. A class, not a lambda: see AotTraining.
 */
final class HostNss implements NssSource {
    /** The process's lookups. */
    static final Nss NSS = new NssLookups(new HostNss(), "pam_java.so's JNI natives");

    private HostNss() {}

    @Override public int getpwnam(byte[] name, int bufferSize, byte[][] fields, int[] ids) {
        return HostNatives.getpwnam(name, bufferSize, fields, ids);
    }
    @Override public int getpwuid(int uid, int bufferSize, byte[][] fields, int[] ids) {
        return HostNatives.getpwuid(uid, bufferSize, fields, ids);
    }
    @Override public int getgrnam(byte[] name, int bufferSize, byte[][] fields, int[] ids, byte[][][] members) {
        return HostNatives.getgrnam(name, bufferSize, fields, ids, members);
    }
    @Override public int getgrgid(int gid, int bufferSize, byte[][] fields, int[] ids, byte[][][] members) {
        return HostNatives.getgrgid(gid, bufferSize, fields, ids, members);
    }
    @Override public int getgrouplist(byte[] user, int primary, int[] groups, int[] count) {
        return HostNatives.getgrouplist(user, primary, groups, count);
    }
    @Override public byte[] strerror(int errnum) { return HostNatives.nssStrerror(errnum); }
}
