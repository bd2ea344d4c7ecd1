package org.pamjava.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.pamjava.PamConstants;
import org.pamjava.PamModule;

/**
 * Compiles a single-file {@code .java} module in memory with the JDK's compiler (javax.tools), its
 * class path read by {@link ClassPathFileManager}.
 */
final class JavaSourceCompiler {

    private final List<Path> classPath;

    /** @param classPath what the module compiles against besides the JDK (the API jar first) */
    JavaSourceCompiler(List<Path> classPath) {
        this.classPath = List.copyOf(classPath);
    }

    CompiledModule compile(Path file, byte[] source) throws ModuleLoadException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                    "cannot compile " + file + ": this Java runtime has no compiler (configure a JDK)");
        }
        String text = decode(file, source);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StandardJavaFileManager standard = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8);
        // The class path is read as the effective uid, as the class loader reads it (not javac's
        // zip file system, which asks access(2), that is the real uid: the invoking user of su).
        ClassPathFileManager classPathFiles;
        try {
            classPathFiles = ClassPathFileManager.open(standard, classPath);
        } catch (IOException e) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                    "cannot compile " + file + ": cannot read its class path: " + e, e);
        }
        try (classPathFiles) {
            var output = new ClassOutput(classPathFiles);
            List<String> options = List.of("-proc:none", "-nowarn", "-g");
            var task = compiler.getTask(null, output, diagnostics, options, null, List.of(new Source(file, text)));
            boolean ok = task.call();
            if (!ok) {
                String messages = diagnostics.getDiagnostics().stream()
                        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                        .map(d -> file + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
                        .collect(Collectors.joining("\n"));
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                        file + " does not compile:\n" + messages);
            }
            return new CompiledModule(findModuleClass(file, output.classes), output.classes);
        } catch (IOException e) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, "cannot compile " + file + ": " + e, e);
        }
    }

    private static String decode(Path file, byte[] source) throws ModuleLoadException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(source)).toString();
        } catch (CharacterCodingException e) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, file + " is not UTF-8 text");
        }
    }

    /** The one public, concrete class that implements PamModule, preferring top-level classes. */
    private static String findModuleClass(Path file, Map<String, byte[]> classes) throws ModuleLoadException {
        var loader = new ModuleClassLoader("pam-java-probe", classes, null, new java.net.URL[0], true);
        List<String> candidates = new ArrayList<>();
        for (String name : classes.keySet()) {
            try {
                Class<?> c = Class.forName(name, false, loader);
                int mod = c.getModifiers();
                if (PamModule.class.isAssignableFrom(c) && java.lang.reflect.Modifier.isPublic(mod)
                        && !c.isInterface() && !java.lang.reflect.Modifier.isAbstract(mod)) {
                    candidates.add(name);
                }
            } catch (ClassNotFoundException | LinkageError e) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                        "cannot load class " + name + " compiled from " + file + ": " + e, e);
            }
        }
        List<String> topLevel = candidates.stream().filter(n -> !n.contains("$")).toList();
        List<String> chosen = topLevel.isEmpty() ? candidates : topLevel;
        if (chosen.size() != 1) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, file + (chosen.isEmpty()
                    ? " declares no public class implementing org.pamjava.PamModule"
                    : " declares several classes implementing org.pamjava.PamModule: " + chosen));
        }
        return chosen.get(0);
    }

    /** The source, under any file name (javac would insist the public class match it). */
    private static final class Source extends SimpleJavaFileObject {
        private final String text;

        Source(Path file, String text) {
            super(URI.create("string:///" + file.getFileName().toString().replace(' ', '_')), Kind.SOURCE);
            this.text = text;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }

        @Override
        public boolean isNameCompatible(String simpleName, Kind kind) {
            return kind == Kind.SOURCE;
        }
    }

    /** Collects class files in memory. */
    private static final class ClassOutput extends ForwardingJavaFileManager<JavaFileManager> {
        final Map<String, byte[]> classes = new HashMap<>();

        ClassOutput(JavaFileManager standard) {
            super(standard);
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                   FileObject sibling) {
            return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension),
                    kind) {
                @Override
                public OutputStream openOutputStream() {
                    return new ByteArrayOutputStream() {
                        @Override
                        public void close() {
                            classes.put(className, toByteArray());
                        }
                    };
                }
            };
        }
    }
}
