package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticStateTest {
    @TempDir
    Path dir;

    /** Compiles one source file and gives its class files by simple binary name. */
    private Map<String, byte[]> compile(String className, String source) throws IOException {
        Path src = dir.resolve(className + ".java");
        Files.writeString(src, source);
        Path out = Files.createDirectories(dir.resolve("out-" + className));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-nowarn", "-d", out.toString(), src.toString());
        assertEquals(0, rc, "javac failed for " + className);
        Map<String, byte[]> classes = new TreeMap<>();
        try (var files = Files.list(out)) {
            for (Path f : files.toList()) {
                classes.put(f.getFileName().toString().replace(".class", ""), Files.readAllBytes(f));
            }
        }
        return classes;
    }

    private boolean possible(String className, String source) throws IOException {
        return StaticState.possible(compile(className, source).get(className));
    }

    @Test
    void instanceFieldsMethodsAndCompileTimeConstantsHoldNoStaticState() throws IOException {
        assertFalse(possible("Plain", "class Plain { int calls; String user; int next() { return ++calls; } }"));
        // long and double constants take two constant-pool slots each
        assertFalse(possible("Constants", """
                class Constants {
                    static final int DIGITS = 6;
                    static final String PROMPT = "Code: ";
                    static final long WINDOW = 30_000L;
                    static final double RATIO = 1.5;
                    static int twice(int x) { return 2 * x * DIGITS; }
                }"""));
        assertFalse(possible("Rec", "record Rec(String name, int code) {}"));
        assertFalse(possible("Iface", "interface Iface { int CODE = 7; default int code() { return CODE; } }"));
        // lambdas, string concatenation and string switches are invokedynamic, not static fields
        assertFalse(possible("Indy", """
                class Indy {
                    Runnable task(String s) { return () -> System.out.println("x" + s); }
                    int pick(String s) { return switch (s) { case "a" -> 1; case "b" -> 2; default -> 0; }; }
                    String kind(Object o) { return switch (o) { case Integer i -> "int"; case String t -> t; default -> "?"; }; }
                }"""));
        // Instructions of every length: the reader walks the code to look for monitorenter.
        assertFalse(possible("Walk", """
                class Walk {
                    synchronized int instanceLockIsPerInstance() { return 1; }
                    int dense(int x) { switch (x) { case 0: return 10; case 1: return 11; case 2: return 12; case 3: return 13; default: return -1; } }
                    int sparse(int x) { switch (x) { case -100000: return 1; case 7: return 2; case 1 << 20: return 3; default: return 0; } }
                    long wide(int n) { int i = n; i += 1000; long[][] grid = new long[i][3]; return grid.length + 100000L; }
                    Object make() { return new int[5]; }
                }"""));
    }

    @Test
    void locksThatOutliveAHandleAreState() throws IOException {
        assertTrue(possible("StaticLock", "class StaticLock { static synchronized void once() {} }"));
        assertTrue(possible("BlockLock", "class BlockLock { void f() { synchronized (BlockLock.class) { } } }"));
    }

    /** A class made with the ClassFile API: what javac never writes, other compilers and tools may. */
    private static byte[] generated(java.util.function.Consumer<java.lang.classfile.ClassBuilder> body) {
        return java.lang.classfile.ClassFile.of().build(java.lang.constant.ClassDesc.of("Generated"), body);
    }

    @Test
    void dynamicConstantsForeignBootstrapsAndLateFinalStaticsAreState() {
        var object = java.lang.constant.ConstantDescs.CD_Object;
        var bootstrap = java.lang.constant.MethodHandleDesc.ofMethod(java.lang.constant.DirectMethodHandleDesc.Kind.STATIC,
                java.lang.constant.ClassDesc.of("Generated"), "bootstrap",
                java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_CallSite,
                        java.lang.constant.ConstantDescs.CD_MethodHandles_Lookup, java.lang.constant.ConstantDescs.CD_String,
                        java.lang.constant.ConstantDescs.CD_MethodType));
        // ldc of a dynamic constant: resolved once per class
        var condy = java.lang.constant.DynamicConstantDesc.of(java.lang.constant.ConstantDescs.BSM_INVOKE, object);
        assertTrue(StaticState.possible(generated(c -> c.withMethodBody("f",
                java.lang.constant.MethodTypeDesc.of(object), 0, code -> code.ldc(condy).areturn()))));
        // invokedynamic with the module's own bootstrap: its call site may hold anything
        var indy = java.lang.constant.DynamicCallSiteDesc.of(bootstrap, "run",
                java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_void));
        assertTrue(StaticState.possible(generated(c -> c.withMethodBody("f",
                java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_void), 0,
                code -> code.invokedynamic(indy).return_()))));
        // a static final field without a constant value, which class files before version 53 may set anywhere
        assertTrue(StaticState.possible(generated(c -> c.withVersion(52, 0).withField("counter",
                java.lang.constant.ConstantDescs.CD_Object, java.lang.classfile.ClassFile.ACC_STATIC
                        | java.lang.classfile.ClassFile.ACC_FINAL))));
        assertFalse(StaticState.possible(generated(c -> c.withMethodBody("f",
                java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_int), 0,
                code -> code.iconst_1().ireturn()))), "a plain generated class");
    }

    @Test
    void mutableStaticFieldsAndStaticInitializersAreState() throws IOException {
        assertTrue(possible("Counter", "class Counter { static int instances; }"));
        assertTrue(possible("FinalList", "class FinalList { static final java.util.List<String> USERS = new java.util.ArrayList<>(); }"));
        assertTrue(possible("Init", "class Init { static { System.setProperty(\"seen\", \"yes\"); } }"));
        assertTrue(possible("Kind", "enum Kind { TOTP, HOTP }"));
        assertTrue(possible("Asserting", "class Asserting { void f(int x) { assert x > 0; } }"));
        Map<String, byte[]> nested = compile("Outer", "class Outer { static class Cache { static int hits; } int x; }");
        assertFalse(StaticState.possible(nested.get("Outer")));
        assertTrue(StaticState.possible(nested.get("Outer$Cache")));
    }

    @Test
    void bytesThatAreNotAReadableClassFileCountAsState() throws IOException {
        byte[] good = compile("Fine", "class Fine { int x; }").get("Fine");
        assertFalse(StaticState.possible(good));
        assertTrue(StaticState.possible(new byte[0]));
        assertTrue(StaticState.possible("not a class".getBytes()));
        byte[] badMagic = good.clone();
        badMagic[0] = 0;
        assertTrue(StaticState.possible(badMagic));
        for (int cut = 1; cut < good.length; cut += 7) {
            assertTrue(StaticState.possible(Arrays.copyOf(good, cut)), "cut at " + cut);
        }
    }
}
