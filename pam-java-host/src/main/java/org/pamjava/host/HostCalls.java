package org.pamjava.host;

import org.pamjava.runtime.PamCalls;

/**
 * The application's own libpam, through the natives pam_java.so registers ({@link HostNatives}).
 * A class, not a lambda or proxy: pam_java's call path makes neither (see AotTraining).
 */
final class HostCalls implements PamCalls {
    /** The one instance: it has no state. */
    static final HostCalls INSTANCE = new HostCalls();

    private HostCalls() {}

    @Override public int getItem(long pamh, int item, byte[][] out) { return HostNatives.getItem(pamh, item, out); }
    @Override public int setItem(long pamh, int item, byte[] value) { return HostNatives.setItem(pamh, item, value); }
    @Override public int getXAuthData(long pamh, byte[][] out) { return HostNatives.getXauthData(pamh, out); }
    @Override public int setXAuthData(long pamh, byte[] name, byte[] data) {
        return HostNatives.setXauthData(pamh, name, data);
    }
    @Override public int getEnv(long pamh, byte[] name, byte[][] out) { return HostNatives.getEnv(pamh, name, out); }
    @Override public int putEnv(long pamh, byte[] nameValue) { return HostNatives.putEnv(pamh, nameValue); }
    @Override public byte[][] getEnvList(long pamh) { return HostNatives.getEnvList(pamh); }
    @Override public int conversation(long pamh, int[] styles, byte[][] messages, byte[][] replies, int[] retCodes) {
        return HostNatives.conversation(pamh, styles, messages, replies, retCodes);
    }
    @Override public int failDelay(long pamh, int microseconds) { return HostNatives.failDelay(pamh, microseconds); }
    @Override public int getUser(long pamh, byte[] prompt, byte[][] out) { return HostNatives.getUser(pamh, prompt, out); }
    @Override public int getAuthtok(long pamh, int which, byte[] prompt, byte[][] out) {
        return HostNatives.getAuthtok(pamh, which, prompt, out);
    }
    @Override public byte[] strerror(long pamh, int errnum) { return HostNatives.strerror(pamh, errnum); }
    @Override public void log(long pamh, int priority, byte[] message) { HostNatives.log(pamh, priority, message); }
    @Override public boolean jvmInitialized() { return HostNatives.jvmInitialized(); }
    @Override public void wipeString(String secret) { HostNatives.wipeString(secret); }
    /** pam_java.so's JNI lookups, not java.lang.foreign: see HostNss. */
    @Override public org.pamjava.Nss nss() { return HostNss.NSS; }
}
