package org.pamjava.internal.runtime;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;

/**
 * The java.lang.classfile half of {@link ExitCallRewriter}, in a class of its own so that modules
 * that never call exit never load the ClassFile API (hundreds of classes at a cold start).
 */
final class ExitCallTransform {
    private static final ClassDesc REFUSAL = ClassDesc.of(ExitCallRewriter.REFUSAL_CLASS);
    private static final ClassDesc SYSTEM = ClassDesc.of("java.lang.System");
    private static final ClassDesc RUNTIME = ClassDesc.of("java.lang.Runtime");
    private static final MethodTypeDesc INT_TO_VOID = MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_int);
    private static final MethodTypeDesc RUNTIME_INT_TO_VOID =
            MethodTypeDesc.of(ConstantDescs.CD_void, RUNTIME, ConstantDescs.CD_int);
    private static final String MESSAGE = "a PAM module must not end the host process"
            + " (System.exit, Runtime.exit and Runtime.halt are refused)";

    private ExitCallTransform() {}

    /** The class with its exit calls rewritten (or unchanged if the scan's hint was wrong). */
    static byte[] rewrite(byte[] classBytes) {
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
            cls.withMethodBody("exit", INT_TO_VOID, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, ExitCallTransform::refuse);
            cls.withMethodBody("exit", RUNTIME_INT_TO_VOID, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                    ExitCallTransform::refuse);
            cls.withMethodBody("halt", RUNTIME_INT_TO_VOID, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                    ExitCallTransform::refuse);
        });
    }

    private static void refuse(java.lang.classfile.CodeBuilder code) {
        ClassDesc error = ClassDesc.of("java.lang.Error");
        code.new_(error).dup().ldc(MESSAGE)
                .invokespecial(error, ConstantDescs.INIT_NAME, MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_String))
                .athrow();
    }
}
