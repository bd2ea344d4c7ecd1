package org.pamjava.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.ConstantDynamicEntry;
import java.lang.classfile.constantpool.MethodHandleEntry;
import java.lang.classfile.constantpool.MethodTypeEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The start-up rule of pam_java.so's in-process JVM, checked on the staged class files: no
 * {@code invokedynamic} (lambdas, method references, string concatenation through
 * {@code StringConcatFactory}), no dynamic constants, method handles or proxies on the call path.
 * The first such call site of a fresh JVM bootstraps {@code java.lang.invoke} (and a proxy spins
 * a class with the ClassFile API), which costs every cold PAM call milliseconds: see
 * pam-java-runtime/pom.xml ({@code -XDstringConcat=inline}) and AotTraining.
 */
class CallPathClassesTest {

    /**
     * The jars of pam_java.so's in-process JVM (its class path, {@code dist/share/pam-java}; the
     * shim's jvm_options.h). The resident service's jar is not here: a long-lived service pays the
     * bootstrap once, and uses lambdas.
     */
    static final List<String> CALL_PATH_JARS = List.of("pam-java-api.jar", "pam-java-runtime.jar", "pam-java-host.jar");

    /**
     * Classes in those jars that a call does not load, each with why, and the only classes of the
     * call path allowed to name it (checked below: one more user, and the exemption is no proof).
     */
    record Exemption(String classPrefix, String why, Set<String> enteredFrom) {}

    static final List<Exemption> EXEMPT = List.of(
            new Exemption("org/pamjava/runtime/JavaSourceCompiler",
                    "javac for a .java module not yet compiled (its first load, a cache miss): javac loads"
                            + " thousands of classes and bootstraps java.lang.invoke itself",
                    Set.of("org/pamjava/runtime/ModuleLoader")),
            new Exemption("org/pamjava/runtime/ClassPathFileManager",
                    "javac's class path, opened only by JavaSourceCompiler",
                    Set.of("org/pamjava/runtime/JavaSourceCompiler")),
            new Exemption("org/pamjava/runtime/ModuleCallTransform",
                    "the ClassFile API rewrite (built on lambdas), only for a module class whose bytes name"
                            + " exit, halt, exec or start (ModuleCallRewriter.mayCall decides without it)",
                    Set.of("org/pamjava/runtime/ModuleCallRewriter")),
            new Exemption("org/pamjava/runtime/NativeNss",
                    "the resident service's NSS lookups (ResidentChannel.nss()): java.lang.foreign downcalls"
                            + " are method handles. In process the lookups are pam_java.so's JNI natives"
                            + " (HostNss): no class of the call path may name this one",
                    Set.of()),
            new Exemption("org/pamjava/host/AotTraining",
                    "the build's AOT training run (a main of its own), never called by pam_java.so",
                    Set.of()));

    /** The classes whose use is a method handle or a proxy. */
    static final Set<String> FORBIDDEN_OWNERS = Set.of("java/lang/reflect/Proxy", "java/lang/invoke/MethodHandles",
            "java/lang/invoke/MethodHandles$Lookup", "java/lang/invoke/MethodHandle", "java/lang/invoke/MethodType",
            "java/lang/invoke/LambdaMetafactory", "java/lang/invoke/StringConcatFactory", "java/lang/invoke/CallSite");

    static Path jarDirectory() {
        return PamTestBed.DIST.resolve("share/pam-java");
    }

    /** Every class of the call-path jars, by internal name. */
    static Map<String, ClassModel> callPathClasses() throws IOException {
        Map<String, ClassModel> classes = new TreeMap<>();
        for (String jar : CALL_PATH_JARS) {
            Path file = jarDirectory().resolve(jar);
            assertTrue(Files.isRegularFile(file), file + " is not staged (mvn install stages dist/)");
            try (JarFile jarFile = new JarFile(file.toFile())) {
                Enumeration<JarEntry> entries = jarFile.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    if (e.getName().endsWith(".class") && !e.getName().endsWith("module-info.class")) {
                        try (InputStream in = jarFile.getInputStream(e)) {
                            ClassModel model = ClassFile.of().parse(in.readAllBytes());
                            classes.put(model.thisClass().asInternalName(), model);
                        }
                    }
                }
            }
        }
        return classes;
    }

    static Exemption exemption(String className) {
        for (Exemption e : EXEMPT) {
            if (className.equals(e.classPrefix()) || className.startsWith(e.classPrefix())) {
                return e;
            }
        }
        return null;
    }

    /**
     * A record's generated toString, hashCode and equals are one invokedynamic of ObjectMethods
     * each: it runs only if someone calls them, and pam_java's own classes call none directly
     * (checked in {@link #findings}). Not seen: a record used as a hash key or printed.
     */
    static boolean isGeneratedRecordMethod(ClassModel model, MethodModel method, InvokeDynamicInstruction indy) {
        String name = method.methodName().stringValue();
        return model.superclass().map(s -> s.asInternalName().equals("java/lang/Record")).orElse(false)
                && (name.equals("toString") || name.equals("hashCode") || name.equals("equals"))
                && indy.bootstrapMethod().owner().descriptorString().equals("Ljava/lang/runtime/ObjectMethods;");
    }

    /** What each checked class does against the rule: "Class.method: what". */
    static List<String> findings(Map<String, ClassModel> classes) {
        Set<String> records = new TreeSet<>();
        for (ClassModel model : classes.values()) {
            if (model.superclass().map(s -> s.asInternalName().equals("java/lang/Record")).orElse(false)) {
                records.add(model.thisClass().asInternalName());
            }
        }
        List<String> found = new ArrayList<>();
        for (ClassModel model : classes.values()) {
            String className = model.thisClass().asInternalName();
            if (exemption(className) != null) {
                continue;
            }
            for (MethodModel method : model.methods()) {
                String where = className + "." + method.methodName().stringValue() + method.methodType().stringValue();
                for (CodeElement element : method.code().map(c -> c.elementList()).orElse(List.of())) {
                    if (element instanceof InvokeDynamicInstruction indy) {
                        if (!isGeneratedRecordMethod(model, method, indy)) {
                            found.add(where + ": invokedynamic " + indy.name().stringValue() + " (bootstrap "
                                    + indy.bootstrapMethod().owner().displayName() + "."
                                    + indy.bootstrapMethod().methodName() + ")");
                        }
                    } else if (element instanceof ConstantInstruction.LoadConstantInstruction ldc) {
                        PoolEntry constant = ldc.constantEntry();
                        if (constant instanceof ConstantDynamicEntry || constant instanceof MethodHandleEntry
                                || constant instanceof MethodTypeEntry) {
                            found.add(where + ": ldc of a " + constant.getClass().getSimpleName().replace("Impl", ""));
                        }
                    } else if (element instanceof InvokeInstruction call) {
                        String owner = call.owner().asInternalName();
                        String name = call.name().stringValue();
                        if (FORBIDDEN_OWNERS.contains(owner)) {
                            found.add(where + ": calls " + owner + "." + name);
                        } else if (records.contains(owner) && !owner.equals(className)
                                && (name.equals("toString") || name.equals("hashCode") || name.equals("equals"))) {
                            found.add(where + ": calls " + owner + "." + name + " (an invokedynamic of ObjectMethods)");
                        }
                    }
                }
            }
        }
        return found;
    }

    @Test
    void noInvokedynamicMethodHandleOrProxyOnTheCallPath() throws IOException {
        Map<String, ClassModel> classes = callPathClasses();
        assertTrue(classes.containsKey("org/pamjava/host/NativeEntry"),
                "the JNI entry class is not among " + classes.keySet());
        List<String> found = findings(classes);
        assertTrue(found.isEmpty(), "pam_java's call path must not bootstrap java.lang.invoke or spin proxies"
                + " (a lambda, method reference or indy string concatenation: write a class, a loop, a"
                + " StringBuilder; -XDstringConcat=inline): \n" + String.join("\n", found));
    }

    /** An exemption holds only while the class is entered from where it says, and from nowhere else. */
    @Test
    void exemptClassesAreNamedOnlyByTheirGates() throws IOException {
        Map<String, ClassModel> classes = callPathClasses();
        List<String> found = new ArrayList<>();
        for (ClassModel model : classes.values()) {
            String user = model.thisClass().asInternalName();
            if (exemption(user) != null) {
                continue;
            }
            for (PoolEntry entry : model.constantPool()) {
                if (entry instanceof ClassEntry named && !named.asInternalName().startsWith("[")) {
                    Exemption e = exemption(named.asInternalName());
                    if (e != null && !e.enteredFrom().contains(user.replaceAll("\\$.*", ""))) {
                        found.add(user + " names " + named.asInternalName() + ", exempt as: " + e.why());
                    }
                }
            }
        }
        assertTrue(found.isEmpty(), "an exempt class is reached from the call path:\n" + String.join("\n", found));
        for (Exemption e : EXEMPT) {
            assertTrue(classes.keySet().stream().anyMatch(c -> c.startsWith(e.classPrefix())),
                    "exemption for a class that is not there any more (update EXEMPT): " + e.classPrefix());
        }
    }

    /**
     * The list is pam_java.so's own: the jars of its {@code -Djava.class.path=} (pam-java-shim's
     * jvm_options.h, PJ_RUNTIME_JARS), so a jar added there cannot escape the check.
     */
    @Test
    void theCheckedJarsAreTheClassPathPamJavaSoGivesItsJvm() throws IOException {
        Path header = PamTestBed.DIST.getParent().resolve("pam-java-shim/src/jvm_options.h");
        Matcher definition = Pattern.compile("#define PJ_RUNTIME_JARS \\{([^}]*)\\}").matcher(Files.readString(header));
        assertTrue(definition.find(), "no PJ_RUNTIME_JARS in " + header);
        List<String> named = new ArrayList<>();
        Matcher jar = Pattern.compile("\"(pam-java-[a-z-]+\\.jar)\"").matcher(definition.group(1));
        while (jar.find()) {
            named.add(jar.group(1));
        }
        assertEquals(CALL_PATH_JARS, named, "CALL_PATH_JARS against PJ_RUNTIME_JARS in " + header);
    }
}
