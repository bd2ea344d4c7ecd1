package org.pamjava.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.ModuleLoader;
import org.pamjava.stack.Control;
import org.pamjava.stack.ModuleResolver;

/**
 * The modules {@code simulate} can run: results the user assumes for named modules
 * ({@code --assume pam_unix.so=success}), {@code pam_java.so} rules' Java modules loaded with
 * pam_java's own loader, and the engine's {@code pam_permit}, {@code pam_deny} and
 * {@code pam_debug}. Any other module is unavailable, as a module libpam cannot load.
 */
final class SimulatedModules {
    private static final Diagnostics STDERR = (priority, message) -> System.err.println("pam_java: " + message);

    private final Map<String, Integer> assumed = new LinkedHashMap<>();
    private final Map<Path, ModuleLoader> loaders = new LinkedHashMap<>();
    private final Set<String> unavailable = new LinkedHashSet<>();

    /** Parses {@code --assume MODULE=RESULT} values; RESULT is a return-value name or number. */
    SimulatedModules(List<String> assumptions) throws UsageException {
        for (String spec : assumptions) {
            int eq = spec.lastIndexOf('=');
            int code = eq > 0 ? code(spec.substring(eq + 1)) : -1;
            if (code < 0) {
                throw new UsageException("simulate: --assume takes MODULE=RESULT, e.g. pam_unix.so=success or "
                        + "pam_unix.so=auth_err, not '" + spec + "'");
            }
            assumed.put(spec.substring(0, eq), code);
        }
    }

    private static int code(String result) {
        String name = result.toLowerCase(Locale.ROOT);
        name = name.startsWith("pam_") ? name.substring(4) : name;
        if (name.matches("[0-9]{1,2}")) {
            int n = Integer.parseInt(name);
            return n < Control.RETURN_VALUES ? n : -1;
        }
        return Control.returnValue(name.equals("authtok_recovery_err") ? "authtok_recover_err" : name);
    }

    /** The resolver for the engine. */
    ModuleResolver resolver() {
        ModuleResolver assumptions = (path, args) -> {
            Integer code = assumed.getOrDefault(path, assumed.get(fileName(path)));
            return code == null ? Optional.empty() : Optional.of(new FixedResultModule(code));
        };
        ModuleResolver missing = (path, args) -> {
            if (!ModuleResolver.isPamJava(path)) {
                unavailable.add(path);
            }
            return Optional.empty();
        };
        return assumptions.orElse(this::javaModule).orElse(ModuleResolver.standard()).orElse(missing);
    }

    /** The module paths that no resolver knew, in the order met. */
    Set<String> unavailable() {
        return unavailable;
    }

    private Optional<PamModule> javaModule(String path, List<String> args) {
        if (!ModuleResolver.isPamJava(path) || args.isEmpty()) {
            return Optional.empty();
        }
        Path so = Path.of(path);
        Path moduleDir = so.isAbsolute() ? so.getParent() : Installation.SYSTEM_MODULE_DIR;
        if (!Files.exists(moduleDir.resolve(args.getFirst()))) {
            return Optional.empty(); // pam_java: PAM_OPEN_ERR
        }
        ModuleLoader loader = loaders.computeIfAbsent(moduleDir, dir -> new ModuleLoader(dir, null, List.of(), STDERR));
        return Optional.of(loader.loadOrStandIn(args.getFirst(), STDERR));
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** A module whose every operation returns one code: the result --assume gives it. */
    private record FixedResultModule(int code) implements PamModule {
        @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return code; }
        @Override public int setcred(PamHandle pamh, int flags, List<String> args) { return code; }
        @Override public int acctMgmt(PamHandle pamh, int flags, List<String> args) { return code; }
        @Override public int openSession(PamHandle pamh, int flags, List<String> args) { return code; }
        @Override public int closeSession(PamHandle pamh, int flags, List<String> args) { return code; }
        @Override public int chauthtok(PamHandle pamh, int flags, List<String> args) { return code; }
    }
}
