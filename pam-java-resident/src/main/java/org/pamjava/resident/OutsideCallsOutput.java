package org.pamjava.resident;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.ModuleLoader;
import org.pamjava.runtime.SyslogOutput;

/**
 * What modules print in the service outside any call (a thread a module started, a static
 * initialiser or constructor run while it loads): no application's, so into the service's own
 * log (the journal), naming the module that printed it: the nearest module class on the
 * printing thread's stack, else its context class loader's module (a module's thread whose code
 * is all the JDK's, such as an executor's).
 */
final class OutsideCallsOutput implements SyslogOutput.Sink {
    private static final StackWalker STACK = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final Diagnostics serviceLog;

    OutsideCallsOutput(Diagnostics serviceLog) {
        this.serviceLog = serviceLog;
    }

    @Override
    public void send(int priority, byte[] record) {
        serviceLog.log(priority, "pam_java resident: " + printedBy() + " printed outside a call: "
                + new String(record, StandardCharsets.UTF_8));
    }

    /** The module that printed, as its file's path, or "a module" when nothing on the thread names one. */
    static String printedBy() {
        Optional<String> onStack = STACK.walk(OutsideCallsOutput::firstModule);
        if (onStack.isPresent()) {
            return onStack.get();
        }
        String context = ModuleLoader.moduleOf(Thread.currentThread().getContextClassLoader());
        return context != null ? context : "a module";
    }

    private static Optional<String> firstModule(Stream<StackWalker.StackFrame> frames) {
        return frames.map(f -> ModuleLoader.moduleOf(f.getDeclaringClass().getClassLoader()))
                .filter(m -> m != null).findFirst();
    }
}
