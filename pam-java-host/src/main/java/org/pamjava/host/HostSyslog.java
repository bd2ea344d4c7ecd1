package org.pamjava.host;

import org.pamjava.runtime.SyslogOutput;

/** syslog(3) through pam_java.so (no PAM handle: the output is not tied to a call). */
final class HostSyslog implements SyslogOutput.Sink {
    @Override
    public void send(int priority, byte[] record) {
        HostNatives.log(0, priority, record);
    }
}
