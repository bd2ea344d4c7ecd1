package org.pamjava.internal.runtime;

/**
 * Whether a class file can hold static state: a static field that is not final, or a static
 * initializer ({@code <clinit>}, which any non-constant static final field needs). A module none
 * of whose classes can is indistinguishable, to itself, whether its classes are defined once per
 * PAM handle or once for all: its only per-handle data are the instance's fields. Such a module
 * shares one class loader between handles and skips the per-handle definition (see
 * {@link ModuleLoader}).
 *
 * <p>A hand-written reader of the class file's constant pool, fields and methods, because the
 * java.lang.classfile API costs a cold PAM call thousands of classes. Anything it does not
 * understand counts as state: the module then gets a class loader per handle, as before.
 */
final class StaticState {
    private static final int ACC_STATIC = 0x0008;
    private static final int ACC_FINAL = 0x0010;

    private StaticState() {}

    /** True when the class may hold static state, or when its bytes cannot be read as a class file. */
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
        private int[] utf8Offsets;

        Reader(byte[] classFile) {
            this.b = classFile;
        }

        boolean holdsState() {
            if (u4() != 0xCAFEBABE) {
                return true;
            }
            pos += 4; // minor, major version
            readConstantPool();
            pos += 6; // access flags, this_class, super_class
            int interfaces = u2();
            pos += 2 * interfaces;
            boolean state = false;
            for (int fields = u2(); fields > 0; fields--) {
                int flags = u2();
                pos += 4; // name, descriptor
                skipAttributes();
                state |= (flags & ACC_STATIC) != 0 && (flags & ACC_FINAL) == 0;
            }
            for (int methods = u2(); methods > 0; methods--) {
                pos += 2; // flags
                int name = u2();
                pos += 2; // descriptor
                skipAttributes();
                state |= utf8Equals(name, "<clinit>");
            }
            skipAttributes(); // the class's own
            // Only a class file read to its exact end counts as understood.
            return state || pos != b.length;
        }

        private void readConstantPool() {
            int count = u2();
            utf8Offsets = new int[count];
            for (int i = 1; i < count; i++) {
                int tag = b[pos++] & 0xFF;
                switch (tag) {
                    case 1 -> { // Utf8
                        utf8Offsets[i] = pos;
                        pos += 2 + u2At(pos);
                    }
                    case 7, 8, 16, 19, 20 -> pos += 2; // Class, String, MethodType, Module, Package
                    case 15 -> pos += 3; // MethodHandle
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> pos += 4;
                    case 5, 6 -> { // Long, Double: two entries
                        pos += 8;
                        i++;
                    }
                    default -> throw new IllegalArgumentException("constant pool tag " + tag);
                }
            }
        }

        private void skipAttributes() {
            for (int n = u2(); n > 0; n--) {
                pos += 2; // name
                long length = u4() & 0xFFFFFFFFL;
                if (length > b.length - pos) {
                    throw new IllegalArgumentException("attribute runs past the end");
                }
                pos += (int) length;
            }
        }

        /** Whether constant {@code index} is the ASCII string {@code s} (modified UTF-8 agrees on ASCII). */
        private boolean utf8Equals(int index, String s) {
            if (index <= 0 || index >= utf8Offsets.length || utf8Offsets[index] == 0) {
                throw new IllegalArgumentException("bad name index " + index);
            }
            int at = utf8Offsets[index];
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

        private int u2() {
            int v = u2At(pos);
            pos += 2;
            return v;
        }

        private int u4() {
            int v = (u2At(pos) << 16) | u2At(pos + 2);
            pos += 4;
            return v;
        }
    }
}
