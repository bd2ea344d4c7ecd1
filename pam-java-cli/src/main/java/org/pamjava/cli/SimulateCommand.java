package org.pamjava.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamOperation;
import org.pamjava.client.PamItem;
import org.pamjava.stack.AssumedResults;
import org.pamjava.stack.ConfigDiagnostic;
import org.pamjava.stack.ConfigSource;
import org.pamjava.stack.PamCodes;
import org.pamjava.stack.PamStack;
import org.pamjava.stack.RuleTrace;
import org.pamjava.stack.StackTransaction;

/** {@code pam-java simulate}: the operations through pam_java's Java engine, with the trace of every rule. */
final class SimulateCommand {
    static final String HELP = """
            usage: pam-java simulate [--confdir DIR | --file F] [--answer TEXT]... [--assume MODULE=RESULT]...
                                     [--assume FILE:LINE=RESULT[,RESULT...]]...
                                     [--item NAME=VALUE]... [--json] SERVICE USER [OPERATION...]

            Runs the operations, in order, on one transaction of pam_java's Java PAM engine (the same
            configuration syntax and control semantics as Linux-PAM, checked against it), and prints
            for every rule run: where it is, its control, its module, what the module returned, the
            action taken and the stack's state after it; then each result as 'run' prints it.

            The engine runs pam_permit.so, pam_deny.so, pam_debug.so and the Java modules of
            pam_java.so rules; any other module is unavailable (PAM_MODULE_UNKNOWN) unless --assume
            gives its result. Java modules run for real, as pam_java.so would run them (pam_java.conf's
            class_path; compiled classes cached in cache_dir as root, else in ~/.cache/pam-java):
            what they do happens (a one-time code is used up), so give --assume NAME.java=RESULT for
            one that must not run. A module that throws is shown with its exception's message and
            where in the module it was thrown.

            OPERATION: auth setcred acct open close chauthtok (default: auth acct)
            --confdir DIR            the configuration pam_start_confdir would read (includes from /etc/pam.d,
                                     as Debian's libpam does)
            --file F                 F as SERVICE's file; 'other' and included files from /etc/pam.d
                                     (default: /etc/pam.d itself)
            --answer TEXT            the answer to the next prompt (repeatable); without one left, a prompt
                                     is asked at the terminal, or fails with PAM_CONV_ERR
            --assume MODULE=RESULT   every call of MODULE (e.g. pam_unix.so, or a Java module's file such as
                                     Office.java) returns RESULT (e.g. success, auth_err, user_unknown)
            --assume FILE:LINE=RESULT,...
                                     the rule starting at LINE of FILE (as the trace names it, e.g.
                                     common-auth:17) returns these results at its successive calls, the
                                     last one again at later calls; its module is not called, nor
                                     loaded if all its rules are given so (what run --trace --json
                                     reports as "returned" can be fed back this way)
            --item NAME=VALUE        set a PAM item first; NAME: tty rhost ruser xdisplay user_prompt authtok_type
            --json                   one JSON object: "results" (operation, code, name, in order) and "trace"

            Exit status: 0 if every operation returned PAM_SUCCESS, 1 if one did not, 2 on errors.
            """;

    private SimulateCommand() {}

    static int run(List<String> argv) throws UsageException, IOException {
        Arguments args = Arguments.parse("simulate", argv,
                Set.of("--confdir", "--file", "--answer", "--assume", "--item"), Set.of("--json"));
        if (args.help()) {
            System.out.print(HELP);
            return Main.OK;
        }
        if (args.operands().size() < 2) {
            throw new UsageException("simulate: SERVICE and USER are required (see pam-java simulate --help)");
        }
        if (args.value("--confdir") != null && args.value("--file") != null) {
            throw new UsageException("simulate: give --confdir or --file, not both");
        }
        String service = args.operands().get(0);
        String user = args.operands().get(1);
        List<PamOperation> operations = OperationWords.parse("simulate", args.operands().subList(2, args.operands().size()));
        Map<PamItem, String> items = Items.parse("simulate", args.all("--item"));
        PamJavaSetup setup = PamJavaSetup.installed();
        SimulatedModules modules = new SimulatedModules(args.all("--assume"), setup.classPath(), compiledClassCache(setup));
        // Java modules look users and groups up as pam_java.so's would: in this machine's NSS.
        PamStack stack = PamStack.of(source(service, args)).withOnlyModules(modules.resolver())
                .withNss(org.pamjava.runtime.NativeNss.instance());
        org.pamjava.stack.PamConfig config = stack.config(service); // read once: the rules, their diagnostics
        AssumedResults ruleResults = modules.ruleResults(config);
        if (ruleResults != null) {
            stack = stack.withAssumedResults(ruleResults);
        }

        SimulatedConversation conversation = new SimulatedConversation(args.all("--answer"));
        List<SimulatedOperation> done = new ArrayList<>();
        List<ConfigDiagnostic> diagnostics = config.diagnostics();
        boolean pamJavaRules = java.util.Arrays.stream(org.pamjava.stack.ModuleType.values())
                .flatMap(type -> config.rules(type).stream())
                .anyMatch(rule -> rule.modulePath() != null && org.pamjava.stack.ModuleResolver.isPamJava(rule.modulePath()));
        if (pamJavaRules) {
            for (String problem : setup.problems()) {
                System.err.println("note: pam_java.so would run none of its rules' modules: " + problem
                        + " (pam-java check says more)");
            }
            for (String problem : setup.startProblems()) {
                System.err.println("note: pam_java.so would start no JVM in a process, so its rules fail where they run"
                        + " in-process: " + problem + " (pam-java check says more)");
            }
        }
        try (StackTransaction pam = stack.start(service, user, conversation)) {
            conversation.traceSize(() -> pam.trace().size());
            for (Map.Entry<PamItem, String> item : items.entrySet()) {
                setItem(pam.handle(), item.getKey(), item.getValue());
            }
            for (PamOperation op : operations) {
                int before = pam.trace().size();
                int code = OperationWords.simulate(op, pam);
                done.add(SimulatedOperation.of(op, code, pam.trace(), before, conversation.shown()));
            }
        } catch (PamException e) {
            throw new UsageException("simulate: " + e.getMessage());
        }
        List<String> unavailable = modules.unavailable().stream()
                .filter(path -> done.stream().anyMatch(op -> op.rules().stream().anyMatch(t -> path.equals(t.rule().modulePath()))))
                .toList();
        if (args.flag("--json")) {
            System.out.println(Json.writeObjectByLines(json(service, user, done, diagnostics, unavailable,
                    modules.ranForReal().stream().map(Path::toString).toList())));
        } else {
            TraceTable.print(done, System.out);
            for (ConfigDiagnostic d : diagnostics) {
                if (!d.message().contains("no default config other")) { // a directory without 'other' is common and harmless
                    System.err.println("note: libpam would log: " + d);
                }
            }
            for (String path : unavailable) {
                System.err.println("note: " + path + " is not simulated, so its rules returned PAM_MODULE_UNKNOWN"
                        + " (give its result with --assume " + path.substring(path.lastIndexOf('/') + 1) + "=success)");
            }
        }
        return done.stream().allMatch(op -> op.pamCode() == PamConstants.PAM_SUCCESS) ? Main.OK : Main.FAILED;
    }

    /**
     * Where compiled Java modules are kept between runs: as root, pam_java.so's own cache (the same
     * keys, so a module compiled by either is not compiled again); otherwise the user's
     * (XDG_CACHE_HOME, else ~/.cache), which pam_java never trusts as root.
     */
    private static Path compiledClassCache(PamJavaSetup setup) {
        if (org.pamjava.runtime.TrustedPaths.runningAsRoot()) {
            return setup.cacheDir().resolve("classes");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("pam-java/classes");
    }

    private static void setItem(org.pamjava.PamHandle handle, PamItem item, String value) {
        switch (item) {
            case TTY -> handle.setTty(value);
            case RHOST -> handle.setRhost(value);
            case RUSER -> handle.setRuser(value);
            case XDISPLAY -> handle.setXdisplay(value);
            case USER_PROMPT -> handle.setUserPrompt(value);
            case AUTHTOK_TYPE -> handle.setAuthtokType(value);
            case SERVICE -> handle.setService(value);
            case USER -> handle.setUser(value);
        }
    }

    private static ConfigSource source(String service, Arguments args) throws UsageException, IOException {
        if (args.value("--file") != null) {
            Path file = Path.of(args.value("--file"));
            if (!Files.isRegularFile(file)) {
                throw new UsageException("simulate: --file " + file + " is not a file");
            }
            return ConfigFiles.serviceFile(service, file);
        }
        Path dir = Path.of(args.value("--confdir") != null ? args.value("--confdir") : ConfigFiles.SYSTEM_PAM_D.toString());
        if (!Files.isDirectory(dir)) {
            throw new UsageException("simulate: --confdir " + dir + " is not a directory");
        }
        return ConfigFiles.confdir(dir);
    }

    /** The {@code --json} object; {@code run --trace} prints the same (with no Java module run by the engine). */
    static Map<String, Object> json(String service, String user, List<SimulatedOperation> done,
                                    List<ConfigDiagnostic> diagnostics, List<String> unavailable,
                                    List<String> ranForReal) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("service", service);
        root.put("user", user);
        List<Object> results = new ArrayList<>();
        List<Object> trace = new ArrayList<>();
        for (SimulatedOperation op : done) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("operation", OperationWords.word(op.operation()));
            r.put("code", op.pamCode());
            r.put("name", PamCodes.name(op.pamCode()));
            results.add(r);
            for (int i = 0; i < op.rules().size(); i++) {
                RuleTrace t = op.rules().get(i);
                trace.add(TraceTable.json(op.operation(), t, op.messages().get(i)));
            }
        }
        root.put("results", results);
        root.put("trace", trace);
        root.put("diagnostics", diagnostics.stream().map(ConfigDiagnostic::toString).toList());
        root.put("unavailable", unavailable);
        root.put("ranForReal", ranForReal);
        return root;
    }
}
