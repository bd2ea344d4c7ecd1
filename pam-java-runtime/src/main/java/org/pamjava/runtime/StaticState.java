package org.pamjava.runtime;

/**
 * Whether a class file can hold state that lives with the class rather than with an instance, so
 * that defining the class once for all PAM handles would differ from defining it per handle:
 * <ul>
 * <li>a static field other than a compile-time constant (one with a {@code ConstantValue}): a
 *     mutable one, one a static initializer sets, or one old class files or Unsafe may set later;
 * <li>a static initializer ({@code <clinit>}), which may do anything once per class;
 * <li>a dynamic constant ({@code CONSTANT_Dynamic}), resolved once per class, or an
 *     {@code invokedynamic} whose bootstrap method is not one of the JDK's stateless factories
 *     (lambdas, string concatenation, record methods, pattern switches);
 * <li>a monitor: a {@code static synchronized} method or any {@code synchronized} block, since the
 *     class's (or a shared object's) lock would then be contended, and held by a hung call, across
 *     handles.
 * </ul>
 * A module none of whose classes has any of these keeps its per-handle data in its instances, and
 * shares one class loader between handles, skipping the per-handle definition (see
 * {@link ModuleLoader}).
 *
 * <p>A hand-written reader of the class file, because the java.lang.classfile API costs a cold
 * PAM call thousands of classes. Anything it does not understand counts as state: the module then
 * gets a class loader per handle, which is always correct.
 */
final class StaticState {
    private static final int ACC_STATIC = 0x0008;
    private static final int ACC_SYNCHRONIZED = 0x0020;

    private static final int CONSTANT_UTF8 = 1;
    private static final int CONSTANT_CLASS = 7;
    private static final int CONSTANT_METHODREF = 10;
    private static final int CONSTANT_INTERFACE_METHODREF = 11;
    private static final int CONSTANT_METHOD_HANDLE = 15;
    private static final int CONSTANT_DYNAMIC = 17;
    private static final int CONSTANT_INVOKE_DYNAMIC = 18;

    /** Bootstrap classes whose call sites hold no state a module could change or observe. */
    private static final String[] STATELESS_BOOTSTRAPS = {
        "java/lang/invoke/LambdaMetafactory", "java/lang/invoke/StringConcatFactory",
        "java/lang/runtime/ObjectMethods", "java/lang/runtime/SwitchBootstraps",
    };

    private static final int MONITORENTER = 0xC2;

    private StaticState() {}

    /** True when the class may hold state of its own, or when its bytes cannot be read as a class file. */
    static boolean possible(byte[] classFile) {
        try {
            return new Reader(classFile).holdsState();
        } catch (RuntimeException malformed) {
            return true;
        }
    }

    private static final class Reader {
        private final byte[] b;
        private int pos;
        /** Per constant-pool index: its tag, and the offset of its contents. */
        private int[] tags;
        private int[] offsets;
        private boolean invokeDynamic;

        Reader(byte[] classFile) {
            this.b = classFile;
        }

        boolean holdsState() {
            if (u4() != 0xCAFEBABE) {
                return true;
            }
            pos += 4; // minor, major version
            boolean state = readConstantPool();
            pos += 6; // access flags, this_class, super_class
            int interfaces = u2();
            pos += 2 * interfaces;
            for (int fields = u2(); fields > 0; fields--) {
                int flags = u2();
                pos += 4; // name, descriptor
                boolean constant = false;
                for (int n = u2(); n > 0; n--) {
                    constant |= utf8Equals(u2(), "ConstantValue");
                    skipAttributeBody();
                }
                state |= (flags & ACC_STATIC) != 0 && !constant;
            }
            for (int methods = u2(); methods > 0; methods--) {
                int flags = u2();
                state |= utf8Equals(u2(), "<clinit>");
                state |= (flags & (ACC_STATIC | ACC_SYNCHRONIZED)) == (ACC_STATIC | ACC_SYNCHRONIZED);
                pos += 2; // descriptor
                for (int n = u2(); n > 0; n--) {
                    if (utf8Equals(u2(), "Code")) {
                        int end = attributeEnd();
                        state |= entersMonitor();
                        pos = end;
                    } else {
                        skipAttributeBody();
                    }
                }
            }
            boolean bootstrapsRead = false;
            for (int n = u2(); n > 0; n--) {
                if (utf8Equals(u2(), "BootstrapMethods")) {
                    int end = attributeEnd();
                    state |= !statelessBootstraps();
                    bootstrapsRead = true;
                    pos = end;
                } else {
                    skipAttributeBody();
                }
            }
            state |= invokeDynamic && !bootstrapsRead;
            // Only a class file read to its exact end counts as understood.
            return state || pos != b.length;
        }

        /** Reads the constant pool; true when it holds a dynamic constant. */
        private boolean readConstantPool() {
            int count = u2();
            tags = new int[count];
            offsets = new int[count];
            boolean dynamicConstant = false;
            for (int i = 1; i < count; i++) {
                int tag = b[pos++] & 0xFF;
                tags[i] = tag;
                offsets[i] = pos;
                switch (tag) {
                    case CONSTANT_UTF8 -> pos += 2 + u2At(pos);
                    case 7, 8, 16, 19, 20 -> pos += 2; // Class, String, MethodType, Module, Package
                    case 15 -> pos += 3; // MethodHandle
                    case 3, 4, 9, 10, 11, 12 -> pos += 4;
                    case CONSTANT_DYNAMIC -> {
                        dynamicConstant = true;
                        pos += 4;
                    }
                    case CONSTANT_INVOKE_DYNAMIC -> {
                        invokeDynamic = true;
                        pos += 4;
                    }
                    case 5, 6 -> { // Long, Double: two entries
                        pos += 8;
                        i++;
                    }
                    default -> throw new IllegalArgumentException("constant pool tag " + tag);
                }
            }
            return dynamicConstant;
        }

        /** Whether every bootstrap method belongs to one of the stateless JDK factories. */
        private boolean statelessBootstraps() {
            for (int n = u2(); n > 0; n--) {
                int handle = u2();
                if (!isStatelessBootstrap(handle)) {
                    return false;
                }
                int arguments = u2();
                pos += 2 * arguments;
            }
            return true;
        }

        /** Whether the method handle at {@code index} is a method of a stateless bootstrap class. */
        private boolean isStatelessBootstrap(int index) {
            int method = u2At(entry(index, CONSTANT_METHOD_HANDLE) + 1);
            if (tags[method] != CONSTANT_METHODREF && tags[method] != CONSTANT_INTERFACE_METHODREF) {
                return false;
            }
            int owner = u2At(offsets[method]);
            int name = u2At(entry(owner, CONSTANT_CLASS));
            for (String bootstrap : STATELESS_BOOTSTRAPS) {
                if (utf8Equals(name, bootstrap)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Walks a Code attribute's instructions (pos at its max_stack) and says whether one is
         * monitorenter; leaves pos inside the attribute. Unknown opcodes count as a monitor.
         */
        private boolean entersMonitor() {
            pos += 4; // max_stack, max_locals
            int length = u4();
            int start = pos;
            int end = start + length;
            if (length < 0 || end > b.length) {
                throw new IllegalArgumentException("code runs past the end");
            }
            for (int at = start; at < end; ) {
                int op = b[at] & 0xFF;
                if (op == MONITORENTER) {
                    return true;
                }
                int size = instructionLength(op, at, start);
                if (size <= 0) {
                    return true;
                }
                at += size;
            }
            return false;
        }

        /** The length of the instruction at {@code at}, or 0 for an opcode this reader does not know. */
        private int instructionLength(int op, int at, int codeStart) {
            if (op <= 0x0F || (op >= 0x1A && op <= 0x35) || (op >= 0x3B && op <= 0x83)
                    || (op >= 0x85 && op <= 0x98) || (op >= 0xAC && op <= 0xB1) || (op >= 0xBE && op <= 0xBF)
                    || op == 0xC2 || op == 0xC3) {
                return 1;
            }
            if (op == 0x10 || op == 0x12 || (op >= 0x15 && op <= 0x19) || (op >= 0x36 && op <= 0x3A)
                    || op == 0xA9 || op == 0xBC) {
                return 2;
            }
            if (op == 0x11 || op == 0x13 || op == 0x14 || op == 0x84 || (op >= 0x99 && op <= 0xA8)
                    || (op >= 0xB2 && op <= 0xB8) || op == 0xBB || op == 0xBD || op == 0xC0 || op == 0xC1
                    || op == 0xC6 || op == 0xC7) {
                return 3;
            }
            if (op == 0xC5) {
                return 4; // multianewarray
            }
            if (op == 0xB9 || op == 0xBA || op == 0xC8 || op == 0xC9) {
                return 5;
            }
            if (op == 0xC4) { // wide: iinc takes 6 bytes, the loads and stores 4
                return (b[at + 1] & 0xFF) == 0x84 ? 6 : 4;
            }
            if (op == 0xAA || op == 0xAB) { // tableswitch, lookupswitch: padded to a multiple of 4
                int p = at + 1 + ((4 - (at + 1 - codeStart) % 4) % 4);
                if (op == 0xAA) {
                    long low = s4At(p + 4);
                    long high = s4At(p + 8);
                    long size = (p - at) + 12 + (high - low + 1) * 4;
                    return high < low || size > Integer.MAX_VALUE ? 0 : (int) size;
                }
                long pairs = s4At(p + 4);
                long size = (p - at) + 8 + pairs * 8;
                return pairs < 0 || size > Integer.MAX_VALUE ? 0 : (int) size;
            }
            return 0;
        }

        private int entry(int index, int tag) {
            if (index <= 0 || index >= tags.length || tags[index] != tag) {
                throw new IllegalArgumentException("constant " + index + " is not of tag " + tag);
            }
            return offsets[index];
        }

        private void skipAttributeBody() {
            pos = attributeEnd();
        }

        /** Reads an attribute's length (pos just after its name) and gives where the attribute ends. */
        private int attributeEnd() {
            long length = u4() & 0xFFFFFFFFL;
            if (length > b.length - pos) {
                throw new IllegalArgumentException("attribute runs past the end");
            }
            return pos + (int) length;
        }

        /** Whether constant {@code index} is the ASCII string {@code s} (modified UTF-8 agrees on ASCII). */
        private boolean utf8Equals(int index, String s) {
            int at = entry(index, CONSTANT_UTF8);
            if (u2At(at) != s.length()) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                if (b[at + 2 + i] != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private int u2At(int at) {
            return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
        }

        private int s4At(int at) {
            return (u2At(at) << 16) | u2At(at + 2);
        }

        private int u2() {
            int v = u2At(pos);
            pos += 2;
            return v;
        }

        private int u4() {
            int v = s4At(pos);
            pos += 4;
            return v;
        }
    }
}
