package org.pamjava.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.util.Map;

/**
 * The class loader of one module instance: classes compiled from a {@code .java} module (given as
 * bytes) and jars (the module's jar, its {@code Class-Path}, the configured extra class path).
 * Its parent shows the module the JDK and the {@code org.pamjava} API, never pam_java's internals
 * (but {@link ModuleProcesses}, which rewritten module classes call).
 */
final class ModuleClassLoader extends URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Map<String, byte[]> compiledClasses;
    private final CodeSource compiledSource;
    private final boolean perHandle;
    /** The version of a module declaring shared state whose classes this loader defines, or null. */
    private final SharedStates.Version sharedVersion;

    /**
     * @param compiledClasses class files by binary name (a compiled .java, or a jar module's own classes)
     * @param compiledFrom where those came from (the module file), for their CodeSource
     * @param jars further class path: dependency jars, the configured class_path
     * @param perHandle whether it serves one PAM handle (else all handles of a module without static state)
     */
    ModuleClassLoader(String name, Map<String, byte[]> compiledClasses, URL compiledFrom, URL[] jars,
                      boolean perHandle) {
        this(name, compiledClasses, compiledFrom, jars, perHandle, null);
    }

    /**
     * The loader of one version of a module that declares shared state: kept for every handle,
     * and, unlike the loader shared by modules without static state, it defines the classes of
     * the dependency jars and the configured class path too (their static state is then shared as
     * the module's is, which a module sharing a pool of their connections wants).
     */
    ModuleClassLoader(String name, Map<String, byte[]> compiledClasses, URL compiledFrom, URL[] jars,
                      SharedStates.Version sharedVersion) {
        this(name, compiledClasses, compiledFrom, jars, false, sharedVersion);
    }

    private ModuleClassLoader(String name, Map<String, byte[]> compiledClasses, URL compiledFrom, URL[] jars,
                              boolean perHandle, SharedStates.Version sharedVersion) {
        super(name, jars, ApiOnlyClassLoader.INSTANCE);
        this.perHandle = perHandle;
        this.sharedVersion = sharedVersion;
        this.compiledClasses = compiledClasses;
        this.compiledSource = compiledFrom == null ? null : new CodeSource(compiledFrom, (CodeSigner[]) null);
    }

    /** Whether this loader serves one PAM handle's instance only (and is closed after its end). */
    boolean perHandle() {
        return perHandle;
    }

    /** The shared-state version this loader belongs to, or null for any other module's loader. */
    SharedStates.Version sharedVersion() {
        return sharedVersion;
    }

    /**
     * Defines the module's classes itself (rather than letting URLClassLoader do it) so that every
     * class, from a compiled .java or from a jar, passes through {@link ModuleCallRewriter}.
     */
    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (name.equals(ModuleCallRewriter.REFUSAL_CLASS)) {
            byte[] refusal = ModuleCallRewriter.refusalClass();
            return defineClass(name, refusal, 0, refusal.length);
        }
        byte[] bytes = compiledClasses.get(name);
        CodeSource source = compiledSource;
        if (bytes == null && !perHandle && sharedVersion == null) {
            // A shared loader defines only the classes that were found free of static state.
            throw new ClassNotFoundException(name);
        }
        if (bytes == null) {
            URL resource = findResource(name.replace('.', '/') + ".class");
            if (resource == null) {
                throw new ClassNotFoundException(name);
            }
            try (InputStream in = resource.openStream()) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new ClassNotFoundException(name + ": cannot read " + resource, e);
            }
            source = new CodeSource(codeSourceOf(resource), (CodeSigner[]) null);
        }
        bytes = ModuleCallRewriter.rewrite(bytes);
        definePackageOf(name);
        return defineClass(name, bytes, 0, bytes.length, source);
    }

    /** The jar or directory a class resource comes from. */
    private static URL codeSourceOf(URL resource) {
        String s = resource.toString();
        try {
            if (s.startsWith("jar:") && s.contains("!/")) {
                return new URI(s.substring(4, s.indexOf("!/"))).toURL();
            }
            return resource;
        } catch (URISyntaxException | IOException e) {
            return resource;
        }
    }

    private void definePackageOf(String className) {
        int dot = className.lastIndexOf('.');
        if (dot > 0 && getDefinedPackage(className.substring(0, dot)) == null) {
            try {
                definePackage(className.substring(0, dot), null, null, null, null, null, null, null);
            } catch (IllegalArgumentException raced) {
                // defined by a parallel load of another class of the package
            }
        }
    }

    /**
     * Delegates to the loader of the API, hiding every package of pam_java's own but the API
     * ({@code org.pamjava}): the runtime, the in-process host and the resident service share the
     * class path with the API, and a module that could name their classes could call the host's
     * natives, dispatch calls or read another handle's secrets.
     */
    private static final class ApiOnlyClassLoader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        static final ApiOnlyClassLoader INSTANCE = new ApiOnlyClassLoader();

        private ApiOnlyClassLoader() {
            super("pam-java-api", org.pamjava.PamModule.class.getClassLoader());
        }

        /** Whether {@code name} (a class's binary name) is in a package of pam_java's own other than the API. */
        static boolean isPamJavasOwn(String name) {
            return name.startsWith("org.pamjava.") && name.indexOf('.', "org.pamjava.".length()) >= 0;
        }

        /** The same for a resource path ({@code org/pamjava/runtime/X.class}). */
        static boolean isPamJavasOwnResource(String name) {
            String path = name.startsWith("/") ? name.substring(1) : name;
            return path.startsWith("org/pamjava/") && path.indexOf('/', "org/pamjava/".length()) >= 0;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            // ModuleCallRewriter's redirected process starts call ModuleProcesses.
            if (isPamJavasOwn(name) && !name.equals(ModuleCallRewriter.PROCESSES_CLASS)) {
                throw new ClassNotFoundException(name);
            }
            return super.loadClass(name, resolve);
        }

        @Override
        public URL getResource(String name) {
            return isPamJavasOwnResource(name) ? null : super.getResource(name);
        }

        @Override
        public java.util.Enumeration<URL> getResources(String name) throws java.io.IOException {
            return isPamJavasOwnResource(name) ? java.util.Collections.emptyEnumeration() : super.getResources(name);
        }

        @Override
        public java.util.stream.Stream<URL> resources(String name) {
            return isPamJavasOwnResource(name) ? java.util.stream.Stream.empty() : super.resources(name);
        }

        @Override
        public java.io.InputStream getResourceAsStream(String name) {
            return isPamJavasOwnResource(name) ? null : super.getResourceAsStream(name);
        }
    }
}
