package org.pamjava.cli;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Copies this process's syslog records to its stderr: openlog(3) with {@code LOG_PERROR}, which
 * the C library honours for every syslog(3) and pam_syslog(3) call in the process, whatever module
 * makes it, and whether or not a syslog daemon listens on {@code /dev/log}.
 *
 * <p>Only {@code pam-java run} does this, as the application it is: pam_java.so itself never calls
 * openlog(3) (it would change its host's logging) and reads no switch an attacker could set in a
 * setuid host's environment, so {@code su} and {@code sudo} never print pam_java's diagnostics.
 */
final class StderrLog {
    private static final int LOG_PID = 0x01;
    private static final int LOG_PERROR = 0x20;
    private static final int LOG_AUTHPRIV = 10 << 3;

    private StderrLog() {}

    /** openlog("pam-java", LOG_PID | LOG_PERROR, LOG_AUTHPRIV); the C library keeps the ident's pointer, so it is never freed. */
    static void copySyslogToStderr() {
        Linker linker = Linker.nativeLinker();
        MemorySegment openlog = linker.defaultLookup().find("openlog")
                .orElseThrow(() -> new IllegalStateException("the C library has no openlog"));
        MethodHandle call = linker.downcallHandle(openlog, FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
        MemorySegment ident = Arena.global().allocateFrom("pam-java");
        try {
            call.invokeExact(ident, LOG_PID | LOG_PERROR, LOG_AUTHPRIV);
        } catch (Throwable t) {
            throw new IllegalStateException("openlog failed", t);
        }
    }
}
