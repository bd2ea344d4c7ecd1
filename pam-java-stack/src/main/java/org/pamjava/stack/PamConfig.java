package org.pamjava.stack;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A service's parsed PAM configuration: for each rule type, the rules from the service's own
 * configuration and those from {@code other}, plus what went wrong while reading them.
 * Made by {@link PamConfigParser#parse}.
 */
public final class PamConfig {

    private final String service;
    private final Map<ModuleType, List<PamRule>> serviceRules;
    private final Map<ModuleType, List<PamRule>> otherRules;
    private final List<ConfigDiagnostic> diagnostics;
    private final boolean usable;
    private final boolean libpamCrashes;
    private final boolean libpamUndefined;
    private final int expansionWork;

    PamConfig(String service, Map<ModuleType, List<PamRule>> serviceRules,
              Map<ModuleType, List<PamRule>> otherRules, List<ConfigDiagnostic> diagnostics, boolean usable,
              boolean libpamCrashes, boolean libpamUndefined, int expansionWork) {
        this.service = service;
        this.serviceRules = copy(serviceRules);
        this.otherRules = copy(otherRules);
        this.diagnostics = List.copyOf(diagnostics);
        this.usable = usable;
        this.libpamCrashes = libpamCrashes;
        this.libpamUndefined = libpamUndefined;
        this.expansionWork = expansionWork;
    }

    private static Map<ModuleType, List<PamRule>> copy(Map<ModuleType, List<PamRule>> rules) {
        Map<ModuleType, List<PamRule>> copy = new EnumMap<>(ModuleType.class);
        for (ModuleType t : ModuleType.values()) {
            copy.put(t, List.copyOf(rules.getOrDefault(t, List.of())));
        }
        return copy;
    }

    /** The service name, as pam_start(3) normalised it (last path component, lower case). */
    public String service() {
        return service;
    }

    /**
     * The rules an operation of {@code type} runs: the service's own rules of that type, or, when it
     * has none, the {@code other} service's.
     */
    public List<PamRule> rules(ModuleType type) {
        List<PamRule> own = serviceRules.get(type);
        return own.isEmpty() ? otherRules.get(type) : own;
    }

    /** The rules of {@code type} that came from the service's own configuration. */
    public List<PamRule> serviceRules(ModuleType type) {
        return serviceRules.get(type);
    }

    /** The rules of {@code type} that came from the {@code other} service. */
    public List<PamRule> otherRules(ModuleType type) {
        return otherRules.get(type);
    }

    /** What libpam would have logged while reading the configuration, in order. */
    public List<ConfigDiagnostic> diagnostics() {
        return diagnostics;
    }

    /**
     * Whether libpam could use this configuration. When false, pam_start(3) fails with
     * {@code PAM_ABORT} (no file for the service nor {@code other}, a file ending in a backslash,
     * a line too long, a rule libpam cannot add, includes that multiply past
     * {@link PamConfigParser#MAX_EXPANSION_WORK}, an include libpam crashes on).
     */
    public boolean isUsable() {
        return usable;
    }

    /**
     * Whether libpam's pam_start would crash the host on this configuration (an include,
     * substack or {@code @include} without a file name, reached while reading). Such a
     * configuration is never {@link #isUsable() usable}.
     */
    public boolean libpamCrashes() {
        return libpamCrashes;
    }

    /**
     * Whether libpam's behaviour on this configuration is undefined (it reads memory it never set:
     * a rule half-added before its module name was refused, or the actions of an {@code @include}
     * that fails where no earlier line set them), so it may crash, fail or pass. Such a
     * configuration is never {@link #isUsable() usable}.
     */
    public boolean libpamUndefined() {
        return libpamUndefined;
    }

    /**
     * How much reading the configuration took: files opened plus lines read, at most a little over
     * {@link PamConfigParser#MAX_EXPANSION_WORK} (past it the configuration is not usable).
     */
    public int expansionWork() {
        return expansionWork;
    }

    /** Every rule, type by type, one per line, followed by the diagnostics. */
    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        lines.add("service " + service + (libpamCrashes ? " (libpam crashes)"
                : libpamUndefined ? " (libpam undefined)" : usable ? "" : " (unusable)"));
        for (ModuleType t : ModuleType.values()) {
            for (PamRule r : rules(t)) {
                lines.add("  " + r);
            }
        }
        for (ConfigDiagnostic d : diagnostics) {
            lines.add("  ! " + d);
        }
        return String.join("\n", lines);
    }
}
