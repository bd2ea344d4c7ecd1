package org.pamjava.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntSupplier;
import org.pamjava.Conversation;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamOperation;
import org.pamjava.client.PamItem;
import org.pamjava.client.PamTransaction;
import org.pamjava.stack.AssumedResults;
import org.pamjava.stack.ConfigCopy;
import org.pamjava.stack.ConfigDiagnostic;
import org.pamjava.stack.ConfigSource;
import org.pamjava.stack.PamCodes;
import org.pamjava.stack.PamRule;
import org.pamjava.stack.PamStack;
import org.pamjava.stack.StackTransaction;

/**
 * {@code pam-java run --trace}: the real transaction through the real libpam and the real modules,
 * on a private copy of the configuration in which each module rule names its own copy of
 * {@code pam_java_trace.so} (which calls the real module and records what it returned); then those
 * codes replayed, rule by rule, through the Java engine, which tells the action libpam took and the
 * stack's state after each rule (libpam keeps both to itself). Where the engine and the trace
 * disagree (a rule one ran and the other did not, another final code) it says so.
 *
 * <p>The private directory (mkdtemp-like, 0700, removed afterwards):
 * {@code conf/} the service's file and {@code other}, {@code include/N} each included file,
 * {@code rules/N/<module's file name>} rule N's tracing copy and {@code rules/N/rule} its sidecar,
 * {@code loaded/} the markers of modules loaded, {@code trace} the records.
 */
final class TracedRun {
    /** libpam's DEFAULT_MODULE_PATH on Debian: where a module named by a relative path is looked for first. */
    private static final String DEFAULT_MODULE_DIR = Installation.SYSTEM_MODULE_DIR + "/";
    /** Where Debian's libpam looks next for a relative path (seen with strace: its own patch, not upstream's). */
    private static final String FALLBACK_MODULE_DIR = "/lib/security/";

    /** A rule of the original configuration, as the engine names it. */
    record RuleRef(String file, int line) {
        @Override
        public String toString() {
            return file + ":" + line;
        }
    }

    /** One call the tracing module recorded. */
    record Call(RuleRef rule, PamOperation operation, int flags, int code) {}

    private final Path dir;
    private final Path trace;
    private final Map<Integer, RuleRef> rules = new HashMap<>();
    /**
     * One id per module path as written: Debian's libpam keeps a relative path as the rule writes it
     * and an absolute one as it is, so {@code pam_x.so} and its full path are two modules to it (a
     * missing one is logged for each), and the tracing copies' load markers are keyed the same way.
     */
    private final Map<String, Integer> moduleIds = new HashMap<>();
    private int tracedRecords;

    private TracedRun(Path dir) {
        this.dir = dir;
        this.trace = dir.resolve("trace");
    }

    static int run(String service, String user, List<PamOperation> operations, Map<PamItem, String> items,
                   Path confdir, boolean json) throws UsageException {
        Path wrapper = Installation.home().resolve("lib/pam-java/pam_java_trace.so");
        if (!Files.isRegularFile(wrapper)) {
            throw new UsageException("run: --trace needs pam-java's tracing module, " + wrapper + ", which is not there");
        }
        if (confdir == null && !Files.isDirectory(ConfigFiles.SYSTEM_PAM_D)) {
            throw new UsageException("run: --trace copies " + ConfigFiles.SYSTEM_PAM_D + ", which this system does not have"
                    + " (an /etc/pam.conf configuration cannot be traced)");
        }
        ConfigSource source = confdir == null ? ConfigFiles.confdir(ConfigFiles.SYSTEM_PAM_D) : ConfigFiles.confdir(confdir);
        Path dir;
        try {
            dir = Files.createTempDirectory("pam-java-trace.", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UsageException("run: --trace cannot make its private directory: " + e.getMessage());
        }
        // Ctrl-C or SIGTERM during a prompt ends the JVM without this method's finally: the hook
        // removes the copies of the configuration then
        Thread cleanup = new Thread(() -> deleteTree(dir), "pam-java-trace-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            TracedRun traced = new TracedRun(dir);
            traced.prepare(source, service, wrapper);
            return traced.runAndReplay(source, service, user, operations, items, json);
        } catch (IOException e) {
            throw new UsageException("run: --trace: " + e.getMessage());
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it removes the directory too, one after the other
            }
            deleteTree(dir);
        }
    }

    /** Writes the private copy of the configuration, one tracing copy and sidecar per module rule. */
    private void prepare(ConfigSource source, String service, Path wrapper) throws IOException, UsageException {
        for (String sub : List.of("conf", "include", "rules", "loaded")) {
            Files.createDirectory(dir.resolve(sub));
        }
        Files.write(trace, new byte[0]);
        List<IOException> failures = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        Map<Path, byte[]> files;
        try {
            files = ConfigCopy.of(source, service, dir.resolve("conf"), dir.resolve("include"),
                    (file, line, type, silent, modulePath) -> {
                        int n = rules.size() + 1;
                        rules.put(n, new RuleRef(file, line));
                        if (modulePath.contains("$ISA")) {
                            refused.add(file + ":" + line + ": a module path with $ISA cannot be traced");
                        }
                        String real = modulePath.startsWith("/") ? modulePath : DEFAULT_MODULE_DIR + modulePath;
                        String name = real.substring(real.lastIndexOf('/') + 1);
                        // libpam takes the log prefix from the file name: the copy keeps it, unless
                        // the name could not stand as one plain token of the copied line, in the
                        // same bytes (then the prefix is "module")
                        if (!name.matches("[A-Za-z0-9_+-][A-Za-z0-9._+-]*")) {
                            name = "module.so";
                        }
                        Path ruleDir = dir.resolve("rules").resolve(Integer.toString(n));
                        try {
                            Files.createDirectory(ruleDir);
                            Files.copy(wrapper, ruleDir.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
                            String fallback = modulePath.startsWith("/") ? "" : FALLBACK_MODULE_DIR + modulePath;
                            String sidecar = "rule=" + n + "\nmodule=" + real + "\nfallback=" + fallback
                                    + "\nwritten=" + modulePath + "\ntype=" + type.keyword()
                                    + "\nsilent=" + (silent ? 1 : 0) + "\nmodule_id="
                                    + moduleIds.computeIfAbsent(modulePath, k -> moduleIds.size() + 1) + "\n";
                            Files.write(ruleDir.resolve("rule"), sidecar.getBytes(StandardCharsets.ISO_8859_1));
                        } catch (IOException e) {
                            failures.add(e);
                        }
                        return ruleDir.resolve(name).toString();
                    });
        } catch (ConfigCopy.NotCopyable e) {
            throw new UsageException("run: --trace cannot copy the configuration: " + e.getMessage());
        }
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
        if (!refused.isEmpty()) {
            throw new UsageException("run: --trace: " + refused.getFirst());
        }
        for (Map.Entry<Path, byte[]> f : files.entrySet()) {
            Files.write(f.getKey(), f.getValue());
        }
    }

    private int runAndReplay(ConfigSource source, String service, String user, List<PamOperation> operations,
                             Map<PamItem, String> items, boolean json) throws IOException, UsageException {
        // The real transaction, on the copy.
        List<Integer> codes = new ArrayList<>();
        List<List<Call>> calls = new ArrayList<>();
        List<Shown> shown = new ArrayList<>();
        // with --json, stdout is the JSON alone: the conversation goes to stderr
        TerminalConversation terminal = new TerminalConversation(json ? System.err : System.out);
        Conversation recording = m -> {
            shown.add(new Shown(tracedRecords + unreadRecords(), m));
            return terminal.reply(m);
        };
        try (PamTransaction pam = PamTransaction.start(service, user, recording, dir.resolve("conf"))) {
            for (Map.Entry<PamItem, String> item : items.entrySet()) {
                pam.setItem(item.getKey(), item.getValue());
            }
            for (PamOperation op : operations) {
                codes.add(OperationWords.run(op, pam));
                calls.add(readNewRecords());
            }
        } catch (PamException e) {
            throw new UsageException("run: " + e.getMessage());
        }

        // The same codes through the engine, on the original configuration.
        List<String> disagreements = new ArrayList<>();
        Replay replay = new Replay(disagreements);
        PamStack stack = PamStack.of(source).withOnlyModules((path, args) -> Optional.empty()).withAssumedResults(replay);
        List<ConfigDiagnostic> diagnostics = stack.config(service).diagnostics();
        List<SimulatedOperation> done = new ArrayList<>();
        try (StackTransaction engine = stack.start(service, user, m -> null)) {
            replay.traceSize = () -> engine.trace().size();
            int recordsBefore = 0;
            for (int i = 0; i < operations.size(); i++) {
                PamOperation op = operations.get(i);
                int before = engine.trace().size();
                replay.expect(calls.get(i));
                int engineCode = OperationWords.simulate(op, engine);
                replay.finish(op);
                if (engineCode != codes.get(i)) {
                    disagreements.add(OperationWords.word(op) + ": libpam returned " + PamCodes.name(codes.get(i))
                            + ", the engine " + PamCodes.name(engineCode) + " from the same module results");
                }
                // each message under the rule whose call was under way when it was sent
                List<SimulatedConversation.Shown> messages = new ArrayList<>();
                for (Shown s : shown) {
                    int record = s.records() - recordsBefore;
                    if (record >= 0 && record < calls.get(i).size()) {
                        messages.add(new SimulatedConversation.Shown(replay.traceIndexOf(recordsBefore + record), s.message()));
                    }
                }
                recordsBefore += calls.get(i).size();
                done.add(SimulatedOperation.of(op, codes.get(i), engine.trace(), before, messages));
            }
        } catch (PamException e) {
            disagreements.add("the engine cannot start the service libpam ran: " + e.getMessage());
        }

        if (json) {
            Map<String, Object> root = SimulateCommand.json(service, user, done, diagnostics, List.of(), List.of());
            root.remove("unavailable");
            root.put("disagreements", disagreements);
            System.out.println(Json.writeObjectByLines(root));
        } else {
            TraceTable.print(done, System.out);
        }
        System.out.flush();
        PrintStream err = System.err;
        for (String d : disagreements) {
            err.println("pam-java: run --trace: DISAGREEMENT between libpam and pam-java's engine: " + d);
        }
        if (!disagreements.isEmpty() && tracedRecords == 0 && !rules.isEmpty()) {
            // libpam could not load the tracing copies at all: the likely cause is where they are
            err.println("pam-java: run --trace: no tracing copy recorded a call; if libpam could not load them"
                    + " (its 'unable to dlopen' lines above), " + dir.getParent() + " may be mounted noexec"
                    + " (the private directory is made in java.io.tmpdir)");
        }
        if (!disagreements.isEmpty()) {
            return Main.ERROR;
        }
        return codes.stream().allMatch(c -> c == PamConstants.PAM_SUCCESS) ? Main.OK : Main.FAILED;
    }

    /** A message the real modules sent, with how many calls had been recorded then. */
    private record Shown(int records, Message message) {}

    /** How many records the trace has that {@link #readNewRecords} has not read yet. */
    private int unreadRecords() {
        try {
            byte[] bytes = Files.readAllBytes(trace);
            int lines = 0;
            for (byte b : bytes) {
                lines += b == '\n' ? 1 : 0;
            }
            return lines - tracedRecords;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The records the tracing copies appended since the last read. */
    private List<Call> readNewRecords() throws IOException {
        List<String> lines = Files.readAllLines(trace, StandardCharsets.ISO_8859_1);
        List<Call> calls = new ArrayList<>();
        for (String line : lines.subList(tracedRecords, lines.size())) {
            String[] f = line.split(" ");
            RuleRef rule = f.length == 4 ? rules.get(Integer.parseInt(f[0])) : null;
            PamOperation op = f.length == 4 ? operation(f[1]) : null;
            if (rule == null || op == null) {
                throw new IOException("the trace has a record no rule wrote: " + line);
            }
            calls.add(new Call(rule, op, Integer.parseInt(f[2]), Integer.parseInt(f[3])));
        }
        tracedRecords = lines.size();
        return calls;
    }

    private static PamOperation operation(String name) {
        for (PamOperation op : PamOperation.values()) {
            if (OperationWords.pamtesterWord(op).equals(name)) {
                return op;
            }
        }
        return null;
    }

    /**
     * The engine's rules answered with the recorded codes, call by call: each call the engine makes
     * must be the next one recorded (the same rule, operation and flags); any other is a disagreement.
     */
    static final class Replay implements AssumedResults {
        private final List<String> disagreements;
        private final List<Integer> traceIndexes = new ArrayList<>();
        IntSupplier traceSize = () -> 0; // set once the engine's transaction exists
        private List<Call> expected = List.of();
        private int next;

        Replay(List<String> disagreements) {
            this.disagreements = disagreements;
        }

        void expect(List<Call> calls) {
            expected = calls;
            next = 0;
        }

        void finish(PamOperation op) {
            for (Call c : expected.subList(Math.min(next, expected.size()), expected.size())) {
                disagreements.add(OperationWords.word(op) + ": libpam called " + c.rule() + " ("
                        + PamCodes.name(c.code()) + "), which the engine did not run");
                traceIndexes.add(Integer.MAX_VALUE); // its record has no row: later records keep theirs
            }
            expected = List.of();
        }

        /** The engine trace's entry for the transaction's record {@code record}, as far as it is known. */
        int traceIndexOf(int record) {
            return record < traceIndexes.size() ? traceIndexes.get(record) : Integer.MAX_VALUE;
        }

        @Override
        public OptionalInt result(PamRule rule, PamOperation operation, int flags) {
            RuleRef ref = new RuleRef(rule.file(), rule.line());
            if (next >= expected.size()) {
                disagreements.add(OperationWords.word(operation) + ": the engine ran " + ref
                        + ", which libpam did not call");
                return OptionalInt.of(PamConstants.PAM_MODULE_UNKNOWN);
            }
            Call c = expected.get(next++);
            if (!c.rule().equals(ref) || c.operation() != operation || c.flags() != flags) {
                disagreements.add(OperationWords.word(operation) + ": the engine ran " + ref + " (flags " + flags
                        + ") where libpam called " + c.rule() + " (" + OperationWords.pamtesterWord(c.operation())
                        + ", flags " + c.flags() + ")");
            }
            traceIndexes.add(traceSize.getAsInt());
            return OptionalInt.of(c.code());
        }
    }

    /** Removes the private directory; nothing in it is followed out of it (links are removed, not read). */
    private static synchronized void deleteTree(Path root) { // the hook and the finally, one at a time
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                System.err.println("pam-java: run --trace could not remove " + root + ": " + e.getMessage());
            }
        }
    }
}
