package org.pamjava.runtime;

import org.pamjava.PamHandle;

/**
 * Where a module's System.out and System.err records go: on a thread that runs a module's
 * operation or end hook, to that call's application, as pam_syslog(3) of its handle (through the
 * handle's {@link PamCalls}: the JNI natives in-process, the call's queue in the resident
 * service), so they carry the application's ident and pid, LOG_AUTHPRIV and the prefix
 * {@code pam_java(SERVICE:TYPE)} whichever way the module runs. Anything else (a thread the
 * module started, a static initialiser or constructor run while the module loads) is not any
 * call's, and goes to {@code outsideCalls}. A class, not a lambda: see AotTraining.
 */
public final class CallOutput implements SyslogOutput.Sink {
    private final SyslogOutput.Sink outsideCalls;

    public CallOutput(SyslogOutput.Sink outsideCalls) {
        this.outsideCalls = outsideCalls;
    }

    @Override
    public void send(int priority, byte[] record) {
        PamHandle call = ModuleInvoker.handleOfThisThreadsCall();
        if (call instanceof LibPamHandle handle) {
            handle.log(priority, record);
        } else {
            outsideCalls.send(priority, record);
        }
    }
}
