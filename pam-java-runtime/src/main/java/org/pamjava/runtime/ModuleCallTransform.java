package org.pamjava.runtime;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeModel;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.DynamicCallSiteDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.List;
import java.util.Set;

/**
 * The java.lang.classfile half of {@link ModuleCallRewriter}, in a class of its own so that modules
 * that call none of those methods never load the ClassFile API (hundreds of classes at a cold start).
 *
 * <p>Every rewrite swaps an instruction for one of the same size and the same effect on the stack
 * ({@code invokevirtual} for {@code invokestatic} with the receiver as first argument, an
 * {@code invokedynamic} for one with other bootstrap arguments), so each method keeps its
 * original stack map frames: generating new ones would need the class hierarchy of the module's
 * own classes, which the rewrite, running before they are defined, cannot resolve.
 */
final class ModuleCallTransform {
    private static final ClassDesc REFUSAL = ClassDesc.of(ModuleCallRewriter.REFUSAL_CLASS);
    private static final ClassDesc PROCESSES = ClassDesc.of(ModuleCallRewriter.PROCESSES_CLASS);
    private static final ClassDesc SYSTEM = ClassDesc.of("java.lang.System");
    private static final ClassDesc RUNTIME = ClassDesc.of("java.lang.Runtime");
    private static final ClassDesc PROCESS_BUILDER = ClassDesc.of("java.lang.ProcessBuilder");
    private static final MethodTypeDesc INT_TO_VOID = MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_int);
    private static final MethodTypeDesc RUNTIME_INT_TO_VOID =
            MethodTypeDesc.of(ConstantDescs.CD_void, RUNTIME, ConstantDescs.CD_int);
    private static final String START = "()Ljava/lang/Process;";
    private static final String START_PIPELINE = "(Ljava/util/List;)Ljava/util/List;";
    private static final Set<String> EXEC = Set.of("(Ljava/lang/String;)Ljava/lang/Process;",
            "(Ljava/lang/String;[Ljava/lang/String;)Ljava/lang/Process;",
            "(Ljava/lang/String;[Ljava/lang/String;Ljava/io/File;)Ljava/lang/Process;",
            "([Ljava/lang/String;)Ljava/lang/Process;",
            "([Ljava/lang/String;[Ljava/lang/String;)Ljava/lang/Process;",
            "([Ljava/lang/String;[Ljava/lang/String;Ljava/io/File;)Ljava/lang/Process;");
    private static final String MESSAGE = "a PAM module must not end the host process"
            + " (System.exit, Runtime.exit and Runtime.halt are refused)";

    private ModuleCallTransform() {}

    /** The class with its calls rewritten (or unchanged if the scan's hint was wrong). */
    static byte[] rewrite(byte[] classBytes) {
        // No stack map generation: each method's original frames are put back (see above).
        ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.DROP_STACK_MAPS);
        ClassModel model = cf.parse(classBytes);
        boolean[] changed = {false};
        CodeTransform redirect = (code, element) -> {
            if (element instanceof InvokeInstruction call && isExit(call)) {
                changed[0] = true;
                code.invokestatic(REFUSAL, call.name().stringValue(),
                        call.opcode() == Opcode.INVOKESTATIC ? INT_TO_VOID : RUNTIME_INT_TO_VOID);
            } else if (element instanceof InvokeInstruction call && startsProcesses(call.owner().asSymbol(),
                    call.name().stringValue(), call.type().stringValue(), call.opcode() == Opcode.INVOKESTATIC)) {
                changed[0] = true;
                MethodTypeDesc type = call.opcode() == Opcode.INVOKESTATIC ? call.typeSymbol()
                        : call.typeSymbol().insertParameterTypes(0, call.owner().asSymbol());
                code.invokestatic(PROCESSES, call.name().stringValue(), type);
            } else if (element instanceof InvokeDynamicInstruction indy && refersToProcessStarts(indy)) {
                changed[0] = true;
                code.invokedynamic(redirected(indy));
            } else {
                code.with(element);
            }
        };
        byte[] rewritten = cf.transformClass(model, ClassTransform.transformingMethods((method, element) -> {
            if (element instanceof CodeModel code) {
                var frames = code.findAttribute(Attributes.stackMapTable());
                method.transformCode(code, frames.isEmpty() ? redirect
                        : redirect.andThen(CodeTransform.endHandler(builder -> builder.with(frames.get()))));
            } else {
                method.with(element);
            }
        }));
        if (!changed[0]) {
            return classBytes;
        }
        checkSameCodeSizes(model, cf.parse(rewritten));
        return rewritten;
    }

    /** The kept frames hold only if no instruction moved: a class that would break that fails to load. */
    private static void checkSameCodeSizes(ClassModel original, ClassModel rewritten) {
        List<MethodModel> before = original.methods();
        List<MethodModel> after = rewritten.methods();
        for (int i = 0; i < before.size(); i++) {
            int was = codeLength(before.get(i));
            int is = codeLength(after.get(i));
            if (was != is) {
                throw new IllegalStateException("rewriting " + original.thisClass().asInternalName() + "."
                        + before.get(i).methodName() + " moved its instructions (" + was + " to " + is + " bytes)");
            }
        }
    }

    private static int codeLength(MethodModel method) {
        return method.findAttribute(Attributes.code()).map(CodeAttribute::codeLength).orElse(0);
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

    /** Whether this names ProcessBuilder.start(), ProcessBuilder.startPipeline(List) or a Runtime.exec. */
    private static boolean startsProcesses(ClassDesc owner, String name, String type, boolean isStatic) {
        if (owner.equals(PROCESS_BUILDER)) {
            return isStatic ? name.equals("startPipeline") && type.equals(START_PIPELINE)
                    : name.equals("start") && type.equals(START);
        }
        return owner.equals(RUNTIME) && !isStatic && name.equals("exec") && EXEC.contains(type);
    }

    /** A method reference ({@code ProcessBuilder::start}) is a bootstrap argument of an invokedynamic. */
    private static boolean startsProcesses(ConstantDesc argument) {
        return argument instanceof DirectMethodHandleDesc handle
                && (handle.kind() == DirectMethodHandleDesc.Kind.VIRTUAL || handle.kind() == DirectMethodHandleDesc.Kind.STATIC)
                && startsProcesses(handle.owner(), handle.methodName(), handle.lookupDescriptor(),
                        handle.kind() == DirectMethodHandleDesc.Kind.STATIC);
    }

    private static boolean refersToProcessStarts(InvokeDynamicInstruction indy) {
        for (ConstantDesc argument : indy.bootstrapArgs()) {
            if (startsProcesses(argument)) {
                return true;
            }
        }
        return false;
    }

    /** The same call site with method handles to ModuleProcesses' methods, whose types are the same. */
    private static DynamicCallSiteDesc redirected(InvokeDynamicInstruction indy) {
        ConstantDesc[] arguments = indy.bootstrapArgs().toArray(ConstantDesc[]::new);
        for (int i = 0; i < arguments.length; i++) {
            if (startsProcesses(arguments[i])) {
                DirectMethodHandleDesc handle = (DirectMethodHandleDesc) arguments[i];
                arguments[i] = MethodHandleDesc.ofMethod(DirectMethodHandleDesc.Kind.STATIC, PROCESSES,
                        handle.methodName(), handle.invocationType());
            }
        }
        return DynamicCallSiteDesc.of(indy.bootstrapMethod(), indy.name().stringValue(), indy.typeSymbol(), arguments);
    }

    /** The refusal class: static exit(int) for System.exit, exit/halt(Runtime, int) for Runtime's. */
    static byte[] refusalClass() {
        return ClassFile.of().build(REFUSAL, cls -> {
            cls.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cls.withMethodBody("exit", INT_TO_VOID, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, ModuleCallTransform::refuse);
            cls.withMethodBody("exit", RUNTIME_INT_TO_VOID, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                    ModuleCallTransform::refuse);
            cls.withMethodBody("halt", RUNTIME_INT_TO_VOID, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                    ModuleCallTransform::refuse);
        });
    }

    private static void refuse(java.lang.classfile.CodeBuilder code) {
        ClassDesc error = ClassDesc.of("java.lang.Error");
        code.new_(error).dup().ldc(MESSAGE)
                .invokespecial(error, ConstantDescs.INIT_NAME, MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_String))
                .athrow();
    }
}
