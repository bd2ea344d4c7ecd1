package org.pamjava.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.PamOperation;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.ModuleLoader;
import org.pamjava.stack.AssumedResults;
import org.pamjava.stack.Control;
import org.pamjava.stack.ModuleResolver;
import org.pamjava.stack.ModuleType;
import org.pamjava.stack.PamConfig;
import org.pamjava.stack.PamRule;

/**
 * The modules {@code simulate} can run: results the user assumes for named modules
 * ({@code --assume pam_unix.so=success}, {@code --assume Office.java=auth_err}), {@code pam_java.so}
 * rules' Java modules loaded with pam_java's own loader (pam_java.conf's class_path, the
 * compiled-class cache) and run for real, and the engine's {@code pam_permit}, {@code pam_deny} and
 * {@code pam_debug}. Any other module is unavailable, as a module libpam cannot load.
 */
final class SimulatedModules {
    private static final Diagnostics STDERR = (priority, message) -> System.err.println("pam_java: " + message);

    private final Map<String, Integer> assumed = new LinkedHashMap<>();
    /** {@code --assume FILE:LINE=R1,R2,...}: the results of one rule's calls, in order, the last repeating. */
    private final Map<String, List<Integer>> ruleResults = new LinkedHashMap<>();
    private final Map<String, Integer> ruleCalls = new LinkedHashMap<>();
    private final Map<Path, ModuleLoader> loaders = new LinkedHashMap<>();
    private final Set<String> unavailable = new LinkedHashSet<>();
    private final Set<Path> ranForReal = new LinkedHashSet<>();
    private final List<Path> classPath;
    private final Path cacheDir;

    /**
     * Parses {@code --assume MODULE=RESULT} and {@code --assume FILE:LINE=RESULT,RESULT...} values
     * (RESULT is a return-value name or number); Java modules see {@code classPath} and have their
     * compiled classes kept in {@code cacheDir} (null: compiled in memory each run).
     */
    SimulatedModules(List<String> assumptions, List<Path> classPath, Path cacheDir) throws UsageException {
        this.classPath = List.copyOf(classPath);
        this.cacheDir = cacheDir;
        for (String spec : assumptions) {
            Matcher rule = RULE_ASSUMPTION.matcher(spec);
            if (rule.matches()) {
                List<Integer> codes = new ArrayList<>();
                for (String result : rule.group(3).split(",", -1)) {
                    int code = code(result);
                    if (code < 0) {
                        throw new UsageException("simulate: --assume " + rule.group(1) + ":" + rule.group(2)
                                + "=RESULT,... takes return values such as success or auth_err, not '" + result + "'");
                    }
                    codes.add(code);
                }
                ruleResults.put(rule.group(1) + ":" + Integer.parseInt(rule.group(2)), codes);
                continue;
            }
            int eq = spec.lastIndexOf('=');
            int code = eq > 0 ? code(spec.substring(eq + 1)) : -1;
            if (code < 0) {
                throw new UsageException("simulate: --assume takes MODULE=RESULT, e.g. pam_unix.so=success or "
                        + "pam_unix.so=auth_err, not '" + spec + "'");
            }
            assumed.put(spec.substring(0, eq), code);
        }
    }

    /** FILE:LINE=RESULTS, where FILE is a configuration file as the trace names it ({@code login}, {@code common-auth}). */
    private static final Pattern RULE_ASSUMPTION = Pattern.compile("(.+):([0-9]{1,9})=(.+)");

    /**
     * The per-rule results, or null when none were given. Every FILE:LINE must be a module rule of
     * {@code config}: a typo would otherwise silently assume nothing.
     */
    AssumedResults ruleResults(PamConfig config) throws UsageException {
        if (ruleResults.isEmpty()) {
            return null;
        }
        Set<String> moduleRules = new HashSet<>();
        for (ModuleType type : ModuleType.values()) {
            for (PamRule r : config.rules(type)) {
                if (r.kind() == PamRule.Kind.MODULE || r.kind() == PamRule.Kind.SILENT_MODULE) {
                    moduleRules.add(r.location());
                }
            }
        }
        for (String where : ruleResults.keySet()) {
            if (!moduleRules.contains(where)) {
                throw new UsageException("simulate: --assume " + where + "=...: no module rule of service "
                        + config.service() + " starts at " + where);
            }
        }
        return new AssumedResults() {
            @Override
            public OptionalInt result(PamRule rule, PamOperation op, int flags) {
                List<Integer> codes = ruleResults.get(rule.location());
                if (codes == null) {
                    return OptionalInt.empty();
                }
                int call = ruleCalls.merge(rule.location(), 1, Integer::sum) - 1;
                return OptionalInt.of(codes.get(Math.min(call, codes.size() - 1)));
            }

            @Override
            public boolean givesEveryCall(PamRule rule) {
                return ruleResults.containsKey(rule.location()); // the last result repeats
            }
        };
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
            if (ModuleResolver.isPamJava(path) && !args.isEmpty()) { // a Java module by its file: Office.java=success
                code = assumed.getOrDefault(args.getFirst(), assumed.getOrDefault(fileName(args.getFirst()), code));
            }
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

    /** The Java module files loaded to run for real, in the order met. */
    Set<Path> ranForReal() {
        return ranForReal;
    }

    /** The module paths that no resolver knew, in the order met. */
    Set<String> unavailable() {
        return unavailable;
    }

    private Optional<PamModule> javaModule(String path, List<String> args) {
        if (!ModuleResolver.isPamJava(path) || args.isEmpty()) {
            return Optional.empty();
        }
        Path moduleDir = Installation.javaModuleDirectory(path);
        if (!Files.exists(moduleDir.resolve(args.getFirst()))) {
            return Optional.empty(); // pam_java: PAM_OPEN_ERR
        }
        Path file = moduleDir.resolve(args.getFirst());
        if (ranForReal.add(file)) { // before it runs: its effects (a one-time code used up, a file written) are real
            System.err.println("simulate: the Java module " + file + " runs for real: what it does happens (files,"
                    + " network, one-time codes); --assume " + fileName(args.getFirst()) + "=RESULT stands in for it");
        }
        ModuleLoader loader = loaders.computeIfAbsent(moduleDir, dir -> new ModuleLoader(dir, cacheDir, classPath, STDERR));
        return Optional.of(loader.loadOrStandIn(args.getFirst(), STDERR));
    }

    static String fileName(String path) {
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
