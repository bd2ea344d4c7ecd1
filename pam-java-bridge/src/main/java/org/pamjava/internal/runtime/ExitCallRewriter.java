package org.pamjava.internal.runtime;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
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

    private static final ClassDesc REFUSAL = ClassDesc.of(REFUSAL_CLASS);
    private static final ClassDesc SYSTEM = ClassDesc.of("java.lang.System");
    private static final ClassDesc RUNTIME = ClassDesc.of("java.lang.Runtime");
    private static final MethodTypeDesc INT_TO_VOID = MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_int);
    private static final MethodTypeDesc RUNTIME_INT_TO_VOID =
            MethodTypeDesc.of(ConstantDescs.CD_void, RUNTIME, ConstantDescs.CD_int);
    private static final String MESSAGE = "a PAM module must not end the host process"
            + " (System.exit, Runtime.exit and Runtime.halt are refused)";

    private ExitCallRewriter() {}

    /** The class with its exit calls rewritten, or {@code classBytes} itself when it makes none. */
    static byte[] rewrite(byte[] classBytes) {
        if (!mentions(classBytes, "exit") && !mentions(classBytes, "halt")) {
            return classBytes; // the common case, decided without parsing
        }
        ClassFile cf = ClassFile.of();
        ClassModel model = cf.parse(classBytes);
        boolean[] changed = {false};
        CodeTransform redirect = (code, element) -> {
            if (element instanceof InvokeInstruction call && isExit(call)) {
                changed[0] = true;
                boolean isStatic = call.opcode() == java.lang.classfile.Opcode.INVOKESTATIC;
                code.invokestatic(REFUSAL, call.name().stringValue(), isStatic ? INT_TO_VOID : RUNTIME_INT_TO_VOID);
            } else {
                code.with(element);
            }
        };
        byte[] rewritten = cf.transformClass(model, ClassTransform.transformingMethodBodies(redirect));
        return changed[0] ? rewritten : classBytes;
    }

    private static boolean isExit(InvokeInstruction call) {
        String name = call.name().stringValue();
        ClassDesc owner = call.owner().asSymbol();
        String type = call.type().stringValue();
        if (owner.equals(SYSTEM)) {
            return name.equals("exit") && type.equals("(I)V");
        }
        return owner.equals(RUNTIME) && (name.equals("exit") || name.equals("halt")) && type.equals("(I)V");
    }

    /** The refusal class: static exit(int) for System.exit, exit/halt(Runtime, int) for Runtime's. */
    static byte[] refusalClass() {
        return ClassFile.of().build(REFUSAL, cls -> {
            cls.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cls.withMethodBody("exit", INT_TO_VOID, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, ExitCallRewriter::refuse);
            cls.withMethodBody("exit", RUNTIME_INT_TO_VOID, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                    ExitCallRewriter::refuse);
            cls.withMethodBody("halt", RUNTIME_INT_TO_VOID, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                    ExitCallRewriter::refuse);
        });
    }

    private static void refuse(java.lang.classfile.CodeBuilder code) {
        ClassDesc error = ClassDesc.of("java.lang.Error");
        code.new_(error).dup().ldc(MESSAGE)
                .invokespecial(error, ConstantDescs.INIT_NAME, MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_String))
                .athrow();
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
