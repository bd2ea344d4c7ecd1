package org.pamjava.runtime;

/**
 * Rewrites, as module classes are loaded, the calls of theirs that would reach past the PAM call:
 * <ul>
 * <li>{@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt} become calls to a
 * generated class whose methods throw an {@link Error} instead, so the PAM call fails with
 * {@code PAM_SERVICE_ERR} and the host (su, sshd, login) lives. The Security Manager that used to
 * veto exit is gone (JDK 24), and HotSpot's exit hook cannot stop an exit, so this is done on the
 * bytecode, with java.lang.classfile. (Calls made through reflection or method handles are not
 * seen here; see pam_java(8).)
 * <li>{@code ProcessBuilder.start()}, {@code ProcessBuilder.startPipeline(List)} and every
 * {@code Runtime.exec} become calls to {@link ModuleProcesses}, which always names the child's
 * environment: without one, the child would inherit the process's {@code environ} as it is at
 * that moment, which in a setuid host is the caller's whenever host code runs (a module's own
 * thread during the conversation, after the call). Method references to them are redirected too.
 * </ul>
 * One pass over each class, and none at all for the common class that mentions none of these
 * names: a byte scan decides without parsing.
 */
final class ModuleCallRewriter {
    /** The generated class, defined in each module's class loader. */
    static final String REFUSAL_CLASS = "org.pamjava.internal.module.ExitRefused";
    /** {@link ModuleProcesses}, which module class loaders let module classes see (a constant: naming the class would load it). */
    static final String PROCESSES_CLASS = "org.pamjava.runtime.ModuleProcesses";

    private static final byte[] EXIT = ascii("exit");
    private static final byte[] HALT = ascii("halt");
    private static final byte[] EXEC = ascii("exec");
    private static final byte[] START = ascii("start");
    private static final byte[] JAVA_LANG = ascii("java/lang/");
    private static final byte[] PROCESS_BUILDER = ascii("ProcessBuilder");
    private static final byte[] RUNTIME = ascii("Runtime");

    private ModuleCallRewriter() {}

    /** The class with those calls rewritten, or {@code classBytes} itself when it makes none. */
    static byte[] rewrite(byte[] classBytes) {
        if (!mayCall(classBytes)) {
            return classBytes; // the common case, decided without parsing
        }
        return ModuleCallTransform.rewrite(classBytes);
    }

    /** The refusal class: static exit(int) for System.exit, exit/halt(Runtime, int) for Runtime's. */
    static byte[] refusalClass() {
        return ModuleCallTransform.refusalClass();
    }

    /**
     * Whether the class file's bytes could make one of those calls: they contain "exit" or "halt",
     * or the internal name {@code java/lang/Runtime} as a whole name (not
     * {@code java/lang/RuntimeException}, which most classes mention) and "exec", or
     * {@code java/lang/ProcessBuilder} and "start". Every call the rewrite changes names its class
     * and its method in the constant pool; a class that only asks the Runtime for its processors
     * is not parsed (loading the ClassFile API costs a cold call some 25 ms). One pass over the bytes.
     */
    static boolean mayCall(byte[] b) {
        boolean runtime = false;
        boolean exec = false;
        boolean processBuilder = false;
        boolean start = false;
        for (int i = 0; i < b.length; i++) {
            switch (b[i]) {
                case 'e' -> {
                    if (at(b, i, EXIT)) {
                        return true;
                    }
                    exec |= at(b, i, EXEC);
                }
                case 'h' -> {
                    if (at(b, i, HALT)) {
                        return true;
                    }
                }
                case 's' -> start |= at(b, i, START);
                case 'j' -> {
                    if (at(b, i, JAVA_LANG)) {
                        int name = i + JAVA_LANG.length;
                        processBuilder |= wholeName(b, name, PROCESS_BUILDER);
                        runtime |= wholeName(b, name, RUNTIME);
                    }
                }
                default -> { }
            }
        }
        return (runtime && exec) || (processBuilder && start);
    }

    private static boolean at(byte[] haystack, int offset, byte[] needle) {
        if (offset + needle.length > haystack.length) {
            return false;
        }
        for (int j = 0; j < needle.length; j++) {
            if (haystack[offset + j] != needle[j]) {
                return false;
            }
        }
        return true;
    }

    /** {@code name} at {@code offset}, not followed by a character that would make it a longer name. */
    private static boolean wholeName(byte[] b, int offset, byte[] name) {
        if (!at(b, offset, name)) {
            return false;
        }
        int next = offset + name.length;
        if (next == b.length) {
            return true;
        }
        byte c = b[next];
        boolean partOfName = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                || c == '$';
        return !partOfName;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
