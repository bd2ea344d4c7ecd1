package org.pamjava.internal.runtime;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;

/**
 * The class loader of one module instance: classes compiled from a {@code .java} module (given as
 * bytes) and jars (the module's jar, its {@code Class-Path}, the configured extra class path).
 * Its parent shows the module the JDK and the {@code org.pamjava} API, never pam_java's internals.
 */
final class ModuleClassLoader extends URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Map<String, byte[]> compiledClasses;

    ModuleClassLoader(String name, Map<String, byte[]> compiledClasses, URL[] jars) {
        super(name, jars, ApiOnlyClassLoader.INSTANCE);
        this.compiledClasses = compiledClasses;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = compiledClasses.get(name);
        if (bytes != null) {
            return defineClass(name, bytes, 0, bytes.length);
        }
        return super.findClass(name);
    }

    /** Delegates to the loader of the API, hiding {@code org.pamjava.internal}. */
    private static final class ApiOnlyClassLoader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        static final ApiOnlyClassLoader INSTANCE = new ApiOnlyClassLoader();

        private ApiOnlyClassLoader() {
            super("pam-java-api", org.pamjava.PamModule.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("org.pamjava.internal.")) {
                throw new ClassNotFoundException(name);
            }
            return super.loadClass(name, resolve);
        }

        @Override
        public URL getResource(String name) {
            return name.startsWith("org/pamjava/internal/") ? null : super.getResource(name);
        }
    }
}
