package org.pamjava.stack;

import java.util.List;
import java.util.Optional;
import org.pamjava.PamModule;

/**
 * Finds the module a rule names: the engine's stand-in for dlopen(3) of the module path and, for
 * {@code pam_java.so} rules, for pam_java's loading of the Java MODULE.
 *
 * <p>The engine calls {@link #resolve} once per transaction and module (the module path, plus for
 * {@code pam_java.so} the MODULE argument), at pam_start, and uses the returned instance for every
 * rule naming that module in that transaction; it calls {@link PamModule#end} on it at pam_end.
 * An empty result means the module is unavailable: libpam then fails every rule naming it with
 * {@code PAM_MODULE_UNKNOWN}. For a {@code pam_java.so} rule it means the Java MODULE is
 * unavailable, and then {@link #installed} tells the two failures apart: pam_java.so itself missing
 * is libpam's {@code PAM_MODULE_UNKNOWN}, pam_java.so there but its MODULE not is pam_java's
 * {@code PAM_OPEN_ERR}.
 */
@FunctionalInterface
public interface ModuleResolver {

    /**
     * The module for a rule.
     *
     * @param modulePath the module path as the rule writes it, e.g. {@code pam_debug.so},
     *     {@code /lib/security/pam_java.so}
     * @param args the rule's module arguments; for {@code pam_java.so} rules {@code args.get(0)} is
     *     the Java MODULE
     * @return a fresh module instance (or one the caller wants shared), or empty when unavailable
     */
    Optional<PamModule> resolve(String modulePath, List<String> args);

    /**
     * Whether dlopen(3) finds the native module file itself; asked for {@code pam_java.so} rules
     * whose Java MODULE {@link #resolve} did not find. The default, yes, models a machine with
     * pam_java installed (where {@code pam-java simulate} runs); a resolver for a machine without
     * it says no, and such rules fail as libpam's unknown module.
     *
     * @param modulePath the module path as the rule writes it
     */
    default boolean installed(String modulePath) {
        return true;
    }

    /** Tries this resolver, then {@code fallback}; a module file either says is missing is missing. */
    default ModuleResolver orElse(ModuleResolver fallback) {
        ModuleResolver first = this;
        return new ModuleResolver() {
            @Override
            public Optional<PamModule> resolve(String path, List<String> args) {
                Optional<PamModule> found = first.resolve(path, args);
                return found.isPresent() ? found : fallback.resolve(path, args);
            }

            @Override
            public boolean installed(String path) {
                return first.installed(path) && fallback.installed(path);
            }
        };
    }

    /**
     * Knows Linux-PAM's {@code pam_permit.so}, {@code pam_deny.so} and {@code pam_debug.so}, named by
     * file name or by a path in a directory called {@code security}; nothing else.
     */
    static ModuleResolver standard() {
        return (path, args) -> {
            int slash = path.lastIndexOf('/');
            String name = path.substring(slash + 1);
            if (slash >= 0 && !path.substring(0, slash).endsWith("/security")) {
                return Optional.empty();
            }
            return switch (name) {
                case "pam_permit.so" -> Optional.of(new PermitModule());
                case "pam_deny.so" -> Optional.of(new DenyModule());
                case "pam_debug.so" -> Optional.of(new DebugModule());
                default -> Optional.empty();
            };
        };
    }

    /** Whether {@code modulePath} names pam_java's native module, whose first argument is a Java MODULE. */
    static boolean isPamJava(String modulePath) {
        return modulePath.substring(modulePath.lastIndexOf('/') + 1).equals("pam_java.so");
    }

    /** pam_java.so's own rule option: the module runs in the calling process even with the resident service. */
    String IN_PROCESS_OPTION = "in_process";

    /**
     * The arguments a {@code pam_java.so} rule hands its Java module: the rule's arguments after
     * pam_java.so's own options ({@value #IN_PROCESS_OPTION}), which come before the MODULE. A
     * MODULE is a {@code .java} or {@code .jar} file, so it is never taken for an option.
     *
     * @param ruleArgs the rule's module arguments
     * @return {@code args.get(0)} is the Java MODULE (empty when the rule names none)
     */
    static List<String> javaModuleArgs(List<String> ruleArgs) {
        int first = 0;
        while (first < ruleArgs.size() && ruleArgs.get(first).equals(IN_PROCESS_OPTION)) {
            first++;
        }
        return ruleArgs.subList(first, ruleArgs.size());
    }
}
