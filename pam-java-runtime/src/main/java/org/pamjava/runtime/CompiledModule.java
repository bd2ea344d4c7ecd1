package org.pamjava.runtime;

import java.util.Map;

/**
 * The classes of a compiled {@code .java} module.
 *
 * @param mainClass the binary name of the class that implements {@code PamModule}
 * @param classes class files by binary name
 */
record CompiledModule(String mainClass, Map<String, byte[]> classes) {
    CompiledModule {
        classes = Map.copyOf(classes);
    }
}
