package org.pamjava.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.pamjava.PamConstants;
import org.pamjava.stack.Control;
import org.pamjava.stack.ControlAction;
import org.pamjava.stack.ModuleResolver;
import org.pamjava.stack.ModuleType;
import org.pamjava.stack.PamRule;

/**
 * The checks of one parsed stack (a service's rules of one type, includes expanded): modules that
 * are not there, Java modules pam_java.so would refuse ({@link JavaModuleChecks}), jumps past the end, {@code sufficient} rules that cannot rescue an earlier
 * failure, rules that never run, repeated rules and {@code pam_debug} arguments it ignores.
 */
final class StackChecks {
    private static final List<String> DEBUG_EVENTS = List.of("auth", "cred", "acct", "prechauthtok", "chauthtok",
            "open_session", "close_session");

    /** Receives a finding: the rule it is about, and the message. */
    private final BiConsumer<PamRule, String> errors;
    private final BiConsumer<PamRule, String> warnings;
    private final JavaModuleChecks javaModules;

    StackChecks(BiConsumer<PamRule, String> errors, BiConsumer<PamRule, String> warnings, JavaModuleChecks javaModules) {
        this.errors = errors;
        this.warnings = warnings;
        this.javaModules = javaModules;
    }

    void check(String service, ModuleType type, List<PamRule> rules) {
        Map<String, PamRule> seen = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            PamRule rule = rules.get(i);
            if (rule.kind() != PamRule.Kind.MODULE && rule.kind() != PamRule.Kind.SILENT_MODULE) {
                continue;
            }
            checkModule(rule);
            checkJumps(service, type, rules, i);
            checkDebugArguments(rule);
            String key = rule.kind() + " " + rule.stackLevel() + " " + TraceTable.control(rule) + " " + rule.modulePath() + " " + rule.args();
            PamRule first = rule.control().equals(Control.ALL_BAD) ? null : seen.putIfAbsent(key, rule); // a broken control is reported already
            if (first != null && !first.location().equals(rule.location())) {
                warnings.accept(rule, "repeats the rule at " + first.location() + " (the module runs twice)");
            }
        }
        checkSufficientAfterRequired(rules);
        checkRulesAfterDeny(type, rules);
    }

    private void checkModule(PamRule rule) {
        String path = rule.modulePath();
        if (path == null) {
            return; // the parser's diagnostic says so
        }
        Path module = path.startsWith("/") ? Path.of(path) : Installation.SYSTEM_MODULE_DIR.resolve(path);
        if (!Files.exists(module)) {
            if (rule.kind() == PamRule.Kind.MODULE) { // a '-type' rule is allowed to name a missing module
                errors.accept(rule, "module " + module + " does not exist: libpam fails this rule with PAM_MODULE_UNKNOWN"
                        + " (write -" + rule.type().keyword() + " to skip a module that may be absent)");
            }
            return;
        }
        if (!ModuleResolver.isPamJava(path)) {
            return;
        }
        javaModules.ruleSeen();
        List<String> javaArgs = ModuleResolver.javaModuleArgs(rule.args());
        if (javaArgs.isEmpty()) {
            errors.accept(rule, "pam_java.so needs a Java module argument (a .java or .jar file): the rule fails with PAM_MODULE_UNKNOWN");
            return;
        }
        Path moduleDir = Installation.javaModuleDirectory(path);
        Path java = moduleDir.resolve(javaArgs.getFirst());
        String name = java.getFileName().toString();
        if (!name.endsWith(".java") && !name.endsWith(".jar")) {
            errors.accept(rule, "pam_java.so module " + javaArgs.getFirst() + " is neither a .java nor a .jar file: the rule fails with PAM_OPEN_ERR");
        } else if (!Files.isRegularFile(java) && (Files.exists(java) || Files.notExists(java))) {
            // (neither: this account may not search a directory on the way; the loader says so below)
            errors.accept(rule, "pam_java.so module " + java + " does not exist: the rule fails with PAM_OPEN_ERR");
        } else {
            javaModules.refusal(moduleDir, javaArgs.getFirst()).ifPresent(verdict ->
                    (verdict.severity() == Finding.Severity.ERROR ? errors : warnings).accept(rule, verdict.message()));
        }
    }

    private void checkJumps(String service, ModuleType type, List<PamRule> rules, int index) {
        PamRule rule = rules.get(index);
        int longest = rule.control().actions().stream()
                .mapToInt(a -> a instanceof ControlAction.Jump(int count) ? count : 0).max().orElse(0);
        if (longest == 0) {
            return;
        }
        int following = 0;
        for (int j = index + 1; j < rules.size() && rules.get(j).stackLevel() >= rule.stackLevel(); j++) {
            if (rules.get(j).stackLevel() == rule.stackLevel()) {
                following++;
            }
        }
        if (longest > following) {
            errors.accept(rule, "jumps " + longest + " rules, past the end of the " + type.keyword() + " stack of service "
                    + service + " (" + following + (following == 1 ? " rule follows" : " rules follow") + "): "
                    + "libpam fails the stack with PAM_PERM_DENIED when it jumps");
        }
    }

    private void checkDebugArguments(PamRule rule) {
        if (rule.modulePath() == null || !rule.modulePath().endsWith("pam_debug.so")) {
            return;
        }
        for (String arg : rule.args()) {
            int eq = arg.indexOf('=');
            if (eq > 0 && DEBUG_EVENTS.contains(arg.substring(0, eq)) && Control.returnValue(arg.substring(eq + 1)) < 0) {
                warnings.accept(rule, "pam_debug.so argument " + arg + ": '" + arg.substring(eq + 1)
                        + "' is not a return value name, so pam_debug returns PAM_SUCCESS");
            }
        }
    }

    /** A failed {@code required} makes the stack fail; a later {@code sufficient} success cannot undo that. */
    private void checkSufficientAfterRequired(List<PamRule> rules) {
        PamRule[] requiredAtLevel = new PamRule[64];
        for (PamRule rule : rules) {
            int level = Math.min(rule.stackLevel(), requiredAtLevel.length - 1);
            for (int deeper = level + 1; deeper < requiredAtLevel.length; deeper++) {
                requiredAtLevel[deeper] = null; // a substack ended or started: its own state
            }
            if (rule.kind() != PamRule.Kind.MODULE && rule.kind() != PamRule.Kind.SILENT_MODULE) {
                continue;
            }
            if (rule.control().equals(Control.SUFFICIENT) && requiredAtLevel[level] != null) {
                warnings.accept(rule, "sufficient after the required rule at " + requiredAtLevel[level].location()
                        + ": if that rule failed, success here neither ends the stack nor makes it succeed");
            } else if (rule.control().equals(Control.REQUIRED) && requiredAtLevel[level] == null) {
                requiredAtLevel[level] = rule;
            }
        }
    }

    /** Rules after a pam_deny.so whose failure ends the stack never run, unless an earlier rule jumps past it. */
    private void checkRulesAfterDeny(ModuleType type, List<PamRule> rules) {
        int denyCode = switch (type) {
            case AUTH, ACCOUNT -> PamConstants.PAM_AUTH_ERR;
            case PASSWORD -> PamConstants.PAM_AUTHTOK_ERR;
            case SESSION -> PamConstants.PAM_SESSION_ERR;
        };
        for (int i = 0; i < rules.size(); i++) {
            PamRule rule = rules.get(i);
            if (rule.kind() != PamRule.Kind.MODULE || rule.modulePath() == null || !rule.modulePath().endsWith("pam_deny.so")
                    || !(rule.control().action(denyCode) instanceof ControlAction.Die)) {
                continue;
            }
            boolean jumpedOver = false;
            for (int j = i - 1; j >= 0 && rules.get(j).stackLevel() >= rule.stackLevel(); j--) {
                jumpedOver |= rules.get(j).control().actions().stream().anyMatch(a -> a instanceof ControlAction.Jump);
            }
            int next = i + 1;
            while (next < rules.size() && rules.get(next).stackLevel() > rule.stackLevel()) {
                next++;
            }
            if (!jumpedOver && next < rules.size() && rules.get(next).stackLevel() == rule.stackLevel()) {
                warnings.accept(rules.get(next), "never runs: the " + TraceTable.control(rule) + " pam_deny.so at "
                        + rule.location() + " always ends the stack before it, and no rule jumps past that one");
            }
        }
    }
}
