package org.pamjava.internal.runtime;

import java.nio.charset.StandardCharsets;

/**
 * Keeps module code from ending the host process: as module classes are loaded, calls to
 * {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt} are rewritten into calls to a
 * generated class whose methods throw an {@link Error} instead, so the PAM call fails with
 * {@code PAM_SERVICE_ERR} and the host (su, sshd, login) lives. The Security Manager that used to
 * veto exit is gone (JDK 24), and HotSpot's exit hook cannot stop an exit, so this is done on the
 * bytecode, with java.lang.classfile. (Calls made through reflection or method handles are not
 * seen here; see pam_java(8).)
 */
final class ExitCallRewriter {
    /** The generated class, defined in each module's class loader. */
    static final String REFUSAL_CLASS = "org.pamjava.internal.module.ExitRefused";

    private ExitCallRewriter() {}

    /** The class with its exit calls rewritten, or {@code classBytes} itself when it makes none. */
    static byte[] rewrite(byte[] classBytes) {
        if (!mentions(classBytes, "exit") && !mentions(classBytes, "halt")) {
            return classBytes; // the common case, decided without parsing
        }
        return ExitCallTransform.rewrite(classBytes);
    }

    /** The refusal class: static exit(int) for System.exit, exit/halt(Runtime, int) for Runtime's. */
    static byte[] refusalClass() {
        return ExitCallTransform.refusalClass();
    }

    private static boolean mentions(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
