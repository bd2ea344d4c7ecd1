package org.pamjava.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.pamjava.PamModule;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.ModuleLoader;
import org.pamjava.runtime.SharedStates;
import org.pamjava.stack.ModuleResolver;

/**
 * Loads the {@code .java} or {@code .jar} MODULE of a {@code pam_java.so} rule with pam_java's own
 * loader, so a test runs the very file an administrator deploys. A relative MODULE is relative to
 * the directory of the rule's {@code pam_java.so} when that path is absolute (as in the native
 * module), else to the test's working directory. A missing file is left to later resolvers (and
 * is {@code PAM_OPEN_ERR} when none knows it). A file that fails to load behaves as in the native
 * module: every operation returns the loader's code ({@code PAM_OPEN_ERR} or
 * {@code PAM_SERVICE_ERR}), and the reason is printed to {@code System.err}.
 *
 * <p>The compiled classes are kept for the whole JVM (a test suite compiles each file once); the
 * shared states of modules declaring {@link org.pamjava.SharedState} are kept in the stack's own
 * {@link SharedStates}: a {@link TestStack} is the process.
 */
final class JavaModuleFiles implements ModuleResolver {
    private static final Diagnostics STDERR = (priority, message) -> System.err.println("pam_java: " + message);
    private static final Map<Path, ModuleLoader> LOADERS = new ConcurrentHashMap<>();
    private final SharedStates states;

    JavaModuleFiles(SharedStates states) {
        this.states = states;
    }

    @Override
    public Optional<PamModule> resolve(String modulePath, List<String> args) {
        if (!ModuleResolver.isPamJava(modulePath) || args.isEmpty()) {
            return Optional.empty();
        }
        Path soDir = Path.of(modulePath).getParent();
        Path moduleDir = soDir != null && soDir.isAbsolute() && Files.isDirectory(soDir) ? soDir : Path.of("");
        if (!Files.exists(moduleDir.resolve(args.getFirst()))) {
            return Optional.empty(); // unavailable: PAM_OPEN_ERR, unless a later resolver knows it
        }
        ModuleLoader loader = LOADERS.computeIfAbsent(moduleDir.toAbsolutePath(),
                dir -> new ModuleLoader(dir, null, List.of(), STDERR));
        return Optional.of(loader.loadOrStandIn(args.getFirst(), STDERR, states));
    }
}
