package org.pamjava.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.ModuleLoadException;
import org.pamjava.runtime.ModuleLoader;
import org.pamjava.runtime.TrustedPaths;
import org.pamjava.stack.PamCodes;

/**
 * What root's pam_java.so would refuse of a {@code pam_java.so} rule's Java module, found without
 * running any of its code: the checks and the compilation of pam_java's own loader
 * ({@link ModuleLoader#verify}), judged as root judges them whoever runs {@code check}, with
 * pam_java.conf's class_path. A refusal is reported in the words pam_java.so logs for it (the
 * loader's message, which the runtime logs as it is), with the code the rule then returns.
 */
final class JavaModuleChecks {
    /** The loader's own notes (what it compiled) are not findings. */
    private static final Diagnostics QUIET = (priority, message) -> { };

    private final PamJavaSetup setup;
    private final Map<Path, ModuleLoader> loaders = new HashMap<>();
    /** A module's verdict by its file: each is checked (and compiled) once per run, whatever rules name it. */
    private final Map<Path, Optional<Verdict>> verdicts = new HashMap<>();

    /** What check says of a rule's module: an error (what pam_java.so refuses), or a warning (what it could not tell). */
    record Verdict(Finding.Severity severity, String message) {}
    private boolean anyRule;

    JavaModuleChecks(PamJavaSetup setup) {
        this.setup = setup;
    }

    /** Notes that a checked rule names pam_java.so: then its set-up matters. */
    void ruleSeen() {
        anyRule = true;
    }

    /**
     * What pam_java.so refuses of its set-up (pam_java.conf, cache_dir, java_home), as findings on
     * pam_java.conf, when a checked rule names pam_java.so; none otherwise.
     */
    List<Finding> setupFindings() {
        if (!anyRule) {
            return List.of();
        }
        List<Finding> findings = new java.util.ArrayList<>();
        for (String problem : setup.problems()) {
            findings.add(new Finding(setup.file(), 0, Finding.Severity.ERROR,
                    "pam_java.so runs no module, and every pam_java.so rule fails; it logs: " + problem));
        }
        for (String problem : setup.startProblems()) {
            findings.add(new Finding(setup.file(), 0, Finding.Severity.ERROR, "pam_java.so starts no JVM in a process,"
                    + " and every pam_java.so rule run in-process fails (in_process rules, and all where the resident"
                    + " service is not reached); it logs: " + problem));
        }
        return findings;
    }

    /**
     * Why pam_java.so refuses the module {@code moduleArg} of a rule whose pam_java.so is in
     * {@code moduleDir}, as the finding's message, or empty when it would load it.
     */
    Optional<Verdict> refusal(Path moduleDir, String moduleArg) {
        Path file = moduleDir.resolve(moduleArg).toAbsolutePath().normalize();
        return verdicts.computeIfAbsent(file, f -> {
            ModuleLoader loader = loaders.computeIfAbsent(moduleDir,
                    dir -> ModuleLoader.forChecking(dir, setup.classPath(), QUIET));
            try {
                loader.verify(moduleArg, QUIET);
                return Optional.empty();
            } catch (ModuleLoadException e) {
                if (!TrustedPaths.runningAsRoot() && deniedToThisUser(e)) {
                    // root reads what this account cannot: not pam_java.so's answer, so not an error
                    return Optional.of(new Verdict(Finding.Severity.WARNING, "cannot check the module from this account ("
                            + e.getMessage() + "); run pam-java check as root to hear what pam_java.so decides"));
                }
                return Optional.of(new Verdict(Finding.Severity.ERROR, "pam_java.so refuses the module and the rule fails with "
                        + PamCodes.name(e.pamCode()) + "; it logs: " + indented(e.getMessage())));
            }
        });
    }

    /** Whether the loader failed because this process may not read or search something (EACCES). */
    private static boolean deniedToThisUser(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.file.AccessDeniedException
                    || t.getMessage() != null && t.getMessage().contains("Permission denied")) {
                return true;
            }
        }
        return false;
    }

    /** A message of several lines (a compiler's) with its later lines indented under the finding. */
    static String indented(String message) {
        return String.join("\n    ", List.of(message.split("\n", -1)));
    }
}
