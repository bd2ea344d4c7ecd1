package org.pamjava.runtime;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.pamjava.PamConstants;

/**
 * The application's libpam in unit tests: what reached its pam_syslog, as "pamh priority text";
 * every other call fails (PAM_SYSTEM_ERR, the conversation PAM_CONV_ERR). A test overrides the
 * calls it gives real answers to.
 */
class SyslogOnlyApplication implements PamCalls {
    final List<String> syslog = new CopyOnWriteArrayList<>();

    @Override public void log(long pamh, int priority, byte[] message) {
        syslog.add(pamh + " " + priority + " " + new String(message, StandardCharsets.UTF_8));
    }
    @Override public int getItem(long pamh, int item, byte[][] out) { return PamConstants.PAM_SYSTEM_ERR; }
    @Override public int setItem(long pamh, int item, byte[] value) { return PamConstants.PAM_SYSTEM_ERR; }
    @Override public int getXAuthData(long pamh, byte[][] out) { return PamConstants.PAM_SYSTEM_ERR; }
    @Override public int setXAuthData(long pamh, byte[] name, byte[] data) { return PamConstants.PAM_SYSTEM_ERR; }
    @Override public int getEnv(long pamh, byte[] name, byte[][] out) { return PamConstants.PAM_SYSTEM_ERR; }
    @Override public int putEnv(long pamh, byte[] nameValue) { return PamConstants.PAM_SYSTEM_ERR; }
    @Override public byte[][] getEnvList(long pamh) { return null; }
    @Override public int conversation(long pamh, int[] styles, byte[][] messages, byte[][] replies, int[] retCodes) {
        return PamConstants.PAM_CONV_ERR;
    }
    @Override public int failDelay(long pamh, int microseconds) { return PamConstants.PAM_SYSTEM_ERR; }
    @Override public int getUser(long pamh, byte[] prompt, byte[][] out) { return PamConstants.PAM_SYSTEM_ERR; }
    @Override public int getAuthtok(long pamh, int which, byte[] prompt, byte[][] out) { return PamConstants.PAM_SYSTEM_ERR; }
    @Override public byte[] strerror(long pamh, int errnum) { return null; }
    @Override public boolean jvmInitialized() { return true; }
    @Override public void wipeString(String secret) {}
}
