package org.pamjava.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.pamjava.stack.ConfigDiagnostic;
import org.pamjava.stack.ConfigSource;
import org.pamjava.stack.ModuleType;
import org.pamjava.stack.PamConfig;
import org.pamjava.stack.PamConfigParser;
import org.pamjava.stack.PamRule;

/**
 * {@code check}'s work on a set of pam.d files: each service is read with pam_java's parser (which
 * reads exactly as libpam does, and reports what libpam would log), and its stacks are checked
 * for what libpam accepts but cannot mean what the administrator wrote.
 */
final class ConfigLint {
    private final Map<String, Path> paths;
    private final Map<String, String> contents;
    private final Set<Finding> findings = new TreeSet<>();
    private final Set<String> loopLines = new HashSet<>();
    private final Set<Set<String>> reportedLoops = new HashSet<>();
    private final JavaModuleChecks javaModules;

    /**
     * @param paths every file a service may read, by the name a rule or pam_start uses for it (a
     *     file name, or an absolute path for includes named that way)
     */
    ConfigLint(Map<String, Path> paths, JavaModuleChecks javaModules) throws IOException {
        this.paths = paths;
        this.javaModules = javaModules;
        this.contents = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : paths.entrySet()) {
            contents.put(e.getKey(), ConfigFiles.read(e.getValue()));
        }
    }

    Set<Finding> findings() {
        return findings;
    }

    /** Checks the service whose file is {@code name}, and every file it includes. */
    void checkService(String name) throws IOException {
        checkPermissions(paths.get(name));
        checkIncludeLoops(name, new ArrayList<>(List.of(name)), new ArrayList<>(), new HashSet<>());
        Map<String, String> files = new LinkedHashMap<>(contents);
        if (!name.equals("other")) {
            files.remove("other"); // the fallback is checked as a service of its own, not with each service
        }
        checkStacks(name, PamConfigParser.parse(ConfigSource.files(files), name), false);
    }

    /**
     * Checks every service of a pam.conf-style file (a service name first on each line), as libpam
     * reads it when there is no /etc/pam.d directory; included files come from the others given.
     */
    void checkPamConf(Path file) throws IOException {
        checkPermissions(file);
        String text = ConfigFiles.read(file);
        paths.putIfAbsent(PAM_CONF_NAME, file);
        Set<String> services = new TreeSet<>();
        for (RawConfigLines.Line line : RawConfigLines.read(text)) {
            services.add(line.words().getFirst()); // the engine matches the name as libpam does, case aside
        }
        services.remove("other");
        services.add("other"); // the fallback, checked once as a service of its own
        Map<String, String> includes = new LinkedHashMap<>(contents);
        contents.put(PAM_CONF_NAME, text); // for the precise account of a bad line
        for (String service : services) {
            // In pam.conf, 'other' lines are the fallback even of the service 'other': the stacks libpam runs.
            checkStacks(service, PamConfigParser.parse(ConfigSource.pamConf(text, ConfigSource.files(includes)), service), true);
        }
    }

    /** What the engine calls a pam.conf file in its rules and diagnostics. */
    private static final String PAM_CONF_NAME = "pam.conf";

    private void checkStacks(String name, PamConfig config, boolean withFallback) throws IOException {
        for (ConfigDiagnostic d : config.diagnostics()) {
            diagnostic(d);
        }
        StackChecks checks = new StackChecks((rule, message) -> add(rule, Finding.Severity.ERROR, message),
                (rule, message) -> add(rule, Finding.Severity.WARNING, message), javaModules);
        for (ModuleType type : ModuleType.values()) {
            checks.check(name, type, withFallback ? config.rules(type) : config.serviceRules(type));
        }
    }

    private void add(PamRule rule, Finding.Severity severity, String message) {
        findings.add(new Finding(path(rule.file()), rule.line(), severity, message));
    }

    private Path path(String name) {
        return paths.getOrDefault(name, Path.of(name));
    }

    /** libpam's log line for a problem, in words that say what it does about it. */
    private void diagnostic(ConfigDiagnostic d) throws IOException {
        String message = d.message();
        if (message.contains("no default config other") || loopLines.contains(d.file() + ":" + d.line())
                || message.contains("error reading") && message.contains("Critical error")) {
            return; // harmless / explained by the include loop / a consequence of the line reported too
        }
        if (message.startsWith("pam_parse:") || message.contains("illegal module type")) {
            String specific = rawProblem(d);
            if (specific != null) {
                message = specific;
            }
        } else if (message.contains("unable to open config for")) {
            message = "cannot open the included file " + message.substring(message.indexOf(" for ") + 5)
                    + ": libpam turns the line into a rule that always fails";
        } else if (message.contains("no control flag supplied") || message.contains("no module name supplied")) {
            message = message.replaceFirst("^\\(.*?\\) ", "") + ": libpam turns the line into a rule that always fails";
        } else if (message.contains("line too long") || message.contains("ends inside a continued line")) {
            message += ": libpam refuses the whole service (pam_start fails with PAM_ABORT)";
        }
        findings.add(new Finding(path(d.file()), d.line(), Finding.Severity.ERROR, message));
    }

    /** A precise account of a bad type or control, from the line as written. */
    private String rawProblem(ConfigDiagnostic d) {
        String text = contents.get(d.file());
        if (text == null) {
            return null;
        }
        for (RawConfigLines.Line line : RawConfigLines.read(text)) {
            if (line.number() != d.line()) {
                continue;
            }
            List<String> words = d.file().equals(PAM_CONF_NAME) && paths.get(PAM_CONF_NAME) != null
                    ? line.words().subList(1, line.words().size()) : line.words(); // pam.conf: the service first
            if (words.isEmpty()) {
                return null;
            }
            String type = words.getFirst();
            String bare = type.startsWith("-") ? type.substring(1) : type;
            if (ModuleType.fromKeyword(bare).isEmpty() && !type.equalsIgnoreCase("@include")) {
                return "unknown rule type '" + type + "' (expected auth, account, password, session, -TYPE or @include):"
                        + " libpam turns the line into a rule that always fails";
            }
            return words.size() > 1 ? ControlSyntax.problem(words.get(1)) : null;
        }
        return null;
    }

    /**
     * Follows the includes from {@code name}; {@code chain} holds the files being included and
     * {@code edges} the lines that included them ({@code file:line}), one fewer.
     */
    private void checkIncludeLoops(String name, List<String> chain, List<String> edges, Set<String> done) {
        String text = contents.get(name);
        if (text == null || !done.add(name)) {
            return;
        }
        for (RawConfigLines.Line line : RawConfigLines.read(text)) {
            String included = RawConfigLines.includedName(line);
            if (included == null) {
                continue;
            }
            int at = chain.indexOf(included);
            if (at >= 0) {
                List<String> loop = new ArrayList<>(chain.subList(at, chain.size()));
                loop.add(included);
                loopLines.add(name + ":" + line.number());
                loopLines.addAll(edges.subList(at, edges.size())); // libpam fails at every line of the loop
                if (!reportedLoops.add(Set.copyOf(loop))) {
                    continue; // the same loop, met from another of its files
                }
                findings.add(new Finding(path(name), line.number(), Finding.Severity.ERROR, "include loop "
                        + String.join(" -> ", loop) + ": libpam follows it until it runs out of open files,"
                        + " then fails this rule (and logs an error for every level)"));
                continue;
            }
            chain.add(included);
            edges.add(name + ":" + line.number());
            checkIncludeLoops(included, chain, edges, done);
            edges.removeLast();
            chain.removeLast();
        }
    }

    private void checkPermissions(Path file) throws IOException {
        if (file == null) {
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            findings.add(new Finding(file, 0, Finding.Severity.WARNING,
                    "writable by group or others: whoever can write this file decides who may log in"));
        }
    }
}
