package org.pamjava.host;

import org.pamjava.runtime.SyslogOutput;

/** syslog(3) through pam_java.so, for output no PAM call owns (CallOutput sends a call's with its handle). */
final class HostSyslog implements SyslogOutput.Sink {
    @Override
    public void send(int priority, byte[] record) {
        HostNatives.log(0, priority, record);
    }
}
