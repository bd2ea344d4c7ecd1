package org.pamjava.runtime;

import java.nio.charset.StandardCharsets;

/**
 * The state class a module's class file names in its {@link org.pamjava.SharedState} annotation,
 * read from the class file's bytes. Reflection ({@code Class.getAnnotation}) would parse every
 * annotation of the class, and parsing an enum constant in any of them initialises that enum:
 * module code, which {@code pam-java check} must not run. The annotation is not inherited, so the
 * module class's own RuntimeVisibleAnnotations attribute is all there is to read.
 */
final class SharedStateDeclaration {
    private static final String ANNOTATION = "Lorg/pamjava/SharedState;";
    private static final String ATTRIBUTE = "RuntimeVisibleAnnotations";

    private final byte[] b;
    private int pos;
    /** Per constant-pool index: the offset of its contents, or -1 (not UTF-8). */
    private int[] utf8;

    private SharedStateDeclaration(byte[] classFile) {
        this.b = classFile;
    }

    /**
     * The binary name of the class {@code @SharedState(value)} names in {@code classFile}, or
     * {@code null} when the class does not carry the annotation.
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed class file
     */
    static String stateClassName(byte[] classFile) {
        try {
            return new SharedStateDeclaration(classFile).read();
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated class file", e);
        }
    }

    private String read() {
        if (u4() != 0xCAFEBABEL) {
            throw new IllegalArgumentException("not a class file");
        }
        pos += 4; // minor and major version
        readConstantPool();
        pos += 6; // access flags, this class, super class
        int interfaces = u2();
        pos += 2 * interfaces;
        for (int members = 0; members < 2; members++) { // fields, then methods
            for (int n = u2(); n > 0; n--) {
                pos += 6; // access flags, name, descriptor
                skipAttributes();
            }
        }
        for (int n = u2(); n > 0; n--) {
            int name = u2();
            int length = (int) u4();
            int end = pos + length;
            if (utf8Is(name, ATTRIBUTE)) {
                String state = sharedStateIn();
                if (state != null) {
                    return state;
                }
            }
            pos = end;
        }
        return null;
    }

    /** The annotations of a RuntimeVisibleAnnotations attribute: SharedState's value, or null. */
    private String sharedStateIn() {
        for (int n = u2(); n > 0; n--) {
            boolean sharedState = utf8Is(u2(), ANNOTATION);
            for (int pairs = u2(); pairs > 0; pairs--) {
                boolean value = utf8Is(u2(), "value");
                if (sharedState && value && (b[pos] & 0xFF) == 'c') {
                    pos++;
                    String descriptor = utf8(u2()); // "Lcom/example/Pool;"
                    if (descriptor.length() < 3 || descriptor.charAt(0) != 'L' || !descriptor.endsWith(";")) {
                        throw new IllegalArgumentException("@SharedState names " + descriptor + ", not a class");
                    }
                    return descriptor.substring(1, descriptor.length() - 1).replace('/', '.');
                }
                skipElementValue();
            }
        }
        return null;
    }

    private void skipElementValue() {
        int tag = b[pos++] & 0xFF;
        switch (tag) {
            case 'B', 'C', 'D', 'F', 'I', 'J', 'S', 'Z', 's', 'c' -> pos += 2;
            case 'e' -> pos += 4;
            case '@' -> {
                pos += 2;
                for (int pairs = u2(); pairs > 0; pairs--) {
                    pos += 2;
                    skipElementValue();
                }
            }
            case '[' -> {
                for (int n = u2(); n > 0; n--) {
                    skipElementValue();
                }
            }
            default -> throw new IllegalArgumentException("element value tag " + tag);
        }
    }

    private void readConstantPool() {
        int count = u2();
        utf8 = new int[count];
        java.util.Arrays.fill(utf8, -1);
        for (int i = 1; i < count; i++) {
            int tag = b[pos++] & 0xFF;
            switch (tag) {
                case 1 -> {
                    utf8[i] = pos;
                    pos += 2 + u2At(pos);
                }
                case 7, 8, 16, 19, 20 -> pos += 2; // Class, String, MethodType, Module, Package
                case 15 -> pos += 3; // MethodHandle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> pos += 4; // Integer ... NameAndType, Dynamic, InvokeDynamic
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
            int length = (int) u4(); // read before adding: pos += u4() would add to the old pos
            pos += length;
        }
    }

    /** Compares the modified UTF-8 of a constant with an ASCII string, without decoding. */
    private boolean utf8Is(int index, String ascii) {
        if (index <= 0 || index >= utf8.length || utf8[index] < 0) {
            return false;
        }
        int at = utf8[index];
        int length = u2At(at);
        if (length != ascii.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (b[at + 2 + i] != (byte) ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A UTF-8 constant as a string (class names: modified UTF-8 equals UTF-8 without NUL or supplementary characters). */
    private String utf8(int index) {
        if (index <= 0 || index >= utf8.length || utf8[index] < 0) {
            throw new IllegalArgumentException("constant " + index + " is not UTF-8");
        }
        int at = utf8[index];
        return new String(b, at + 2, u2At(at), StandardCharsets.UTF_8);
    }

    private int u2At(int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private int u2() {
        int v = u2At(pos);
        pos += 2;
        return v;
    }

    private long u4() {
        long v = ((long) (b[pos] & 0xFF) << 24) | ((b[pos + 1] & 0xFF) << 16) | ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }
}
