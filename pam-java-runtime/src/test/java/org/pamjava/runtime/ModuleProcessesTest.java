package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.PamOperation;

/**
 * Issue 13, hole 4 (Java side): module classes loaded by the runtime start every process with an
 * environment named (ModuleCallRewriter, ModuleProcesses): the fixed PATH, and in a PAM call the
 * handle's PAM environment without loader and interpreter variables; never the process's own.
 */
class ModuleProcessesTest {
    private static final java.util.Set<String> OWNERS = java.util.Set.of("java/lang/ProcessBuilder", "java/lang/Runtime",
            "org/pamjava/runtime/ModuleProcesses");
    private static final Diagnostics QUIET = (priority, message) -> {};
    private static final String FIXED_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** A module that starts /usr/bin/env each way module code can, a line per child: its sorted environment. */
    private static final String SPAWNER = """
            import java.io.File;
            import java.io.IOException;
            import java.io.UncheckedIOException;
            import java.nio.charset.StandardCharsets;
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.util.ArrayList;
            import java.util.Arrays;
            import java.util.List;
            import java.util.concurrent.Callable;
            import java.util.function.Supplier;
            import org.pamjava.PamHandle;
            import org.pamjava.PamModule;
            public class Spawner implements PamModule, Supplier<List<String>> {
                interface Shape {}
                static final class Square implements Shape {}
                static final class Circle implements Shape {}
                interface Starter { Process start(ProcessBuilder b) throws IOException; }
                interface Exec { Process exec(String[] command) throws IOException; }

                @Override public int authenticate(PamHandle pamh, int flags, List<String> args) {
                    try {
                        Files.write(Path.of(args.get(1)), get());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return 0;
                }

                @Override public List<String> get() {
                    try {
                        return children();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }

                static String read(Process p) throws Exception {
                    String[] lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\\n");
                    p.waitFor();
                    Arrays.sort(lines);
                    return String.join(" ", lines);
                }

                static List<String> children() throws Exception {
                    // Two module classes meet at a join: the rewrite keeps this method's frames.
                    Shape shape = System.nanoTime() != 0 ? new Square() : new Circle();
                    String[] env = {"/usr/bin/env"};
                    File root = new File("/");
                    Runtime rt = Runtime.getRuntime();
                    List<String> out = new ArrayList<>();
                    out.add("start " + read(new ProcessBuilder(env).start()));
                    out.add("startPipeline " + read(ProcessBuilder.startPipeline(
                            List.of(new ProcessBuilder(env), new ProcessBuilder("/usr/bin/sort"))).get(1)));
                    out.add("exec(String) " + read(rt.exec("/usr/bin/env")));
                    out.add("exec(String,String[]) " + read(rt.exec("/usr/bin/env", null)));
                    out.add("exec(String,String[],File) " + read(rt.exec("/usr/bin/env", null, root)));
                    out.add("exec(String[]) " + read(rt.exec(env)));
                    out.add("exec(String[],String[]) " + read(rt.exec(env, null)));
                    out.add("exec(String[],String[],File) " + read(rt.exec(env, null, root)));
                    Starter unbound = ProcessBuilder::start;
                    out.add("ProcessBuilder::start " + read(unbound.start(new ProcessBuilder("env"))));
                    Callable<Process> bound = new ProcessBuilder(env)::start;
                    out.add("builder::start " + read(bound.call()));
                    Exec execReference = rt::exec;
                    out.add("runtime::exec " + read(execReference.exec(env)));
                    Callable<Process> lambda = () -> Runtime.getRuntime().exec(env);
                    out.add("lambda " + read(lambda.call()));
                    // What the module chose is kept.
                    out.add("chosen envp " + read(rt.exec(env, new String[] {"CHOSEN=by-the-module", "junk"})));
                    ProcessBuilder own = new ProcessBuilder(env);
                    own.environment().put("CHOSEN", "too");
                    out.add("chosen environment() " + read(own.start()));
                    out.add("own builder unchanged " + own.command() + " " + own.environment().containsKey("CHOSEN")
                            + " " + (shape != null));
                    return out;
                }
            }
            """;

    @TempDir
    Path dir;

    private PamModule spawner() throws Exception {
        Files.writeString(dir.resolve("Spawner.java"), SPAWNER);
        return new ModuleLoader(dir, null, List.of(), QUIET).load("Spawner.java", QUIET);
    }

    /** A handle whose PAM environment is {@code env}; nothing else of it is used. */
    private static PamHandle handleWithEnvironment(Map<String, String> env) {
        return (PamHandle) Proxy.newProxyInstance(PamHandle.class.getClassLoader(), new Class<?>[] {PamHandle.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("environment")) {
                        return env;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static void assertEachChildGot(List<String> children, String environment) {
        List<String> started = children.subList(0, 12);
        List<String> expected = new ArrayList<>();
        for (String child : started) {
            expected.add(child.substring(0, child.indexOf(' ')) + " " + environment);
        }
        assertEquals(expected, started);
        assertEquals("chosen envp CHOSEN=by-the-module", children.get(12));
        assertTrue(children.get(13).contains("CHOSEN=too") && children.get(13).contains("PATH=" + System.getenv("PATH")),
                "a ProcessBuilder's own environment() is the JVM's with the module's changes: " + children.get(13));
        assertEquals("own builder unchanged [/usr/bin/env] true true", children.get(14));
    }

    @Test
    void outsideAPamCallEveryWayToStartAProcessGivesTheChildTheFixedPathOnly() throws Exception {
        // A thread of the module's own, or module code while host code runs: this JVM's
        // environment (HOME, Maven's variables) would otherwise reach each child.
        assertTrue(System.getenv().size() > 1, "the test needs an environment of its own: " + System.getenv());
        @SuppressWarnings("unchecked")
        List<String> children = ((Supplier<List<String>>) spawner()).get();
        assertEachChildGot(children, FIXED_PATH);
    }

    @Test
    void inAPamCallTheChildGetsTheHandlesPamEnvironmentWithoutLoaderAndInterpreterVariables() throws Exception {
        Map<String, String> pamEnvironment = new LinkedHashMap<>();
        pamEnvironment.put("PAM_SEEN", "by-the-module");
        for (String unsafe : List.of("PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "PYTHONPATH", "PYTHONSTARTUP", "PERL5OPT",
                "PERLLIB", "RUBYOPT", "NODE_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS",
                "CLASSPATH", "BASH_ENV", "ENV", "IFS", "SHELLOPTS", "BASHOPTS", "PS4", "GCONV_PATH", "GETCONF_DIR",
                "GLIBC_TUNABLES", "HOSTALIASES", "LOCALDOMAIN", "LOCPATH", "MALLOC_TRACE", "NIS_PATH", "NLSPATH",
                "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR", "TZDIR")) {
            pamEnvironment.put(unsafe, "/home/evil/" + unsafe);
        }
        Path out = dir.resolve("children.txt");
        PamModule module = spawner();
        int code = ModuleInvoker.invoke(module, "Spawner.java", PamOperation.AUTHENTICATE,
                handleWithEnvironment(pamEnvironment), 0, List.of("Spawner.java", out.toString()), QUIET);
        assertEquals(PamConstants.PAM_SUCCESS, code);
        assertEachChildGot(Files.readAllLines(out), "PAM_SEEN=by-the-module " + FIXED_PATH);
        // The call is over: this thread's children get the fixed PATH only again.
        @SuppressWarnings("unchecked")
        List<String> after = ((Supplier<List<String>>) module).get();
        assertEquals("start " + FIXED_PATH, after.get(0));
    }

    @Test
    void aProgramNamedWithoutASlashIsFoundInTheFixedPathOrNotRun() {
        assertFalse(ModuleProcesses.isUnsafe("PAM_SEEN"));
        assertTrue(ModuleProcesses.isUnsafe("LD_AUDIT") && ModuleProcesses.isUnsafe("PYTHONHOME"));
        IOException missing = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> ModuleProcesses.start(new ProcessBuilder("no-such-program-anywhere")));
        assertEquals("Cannot run program \"no-such-program-anywhere\": error=2, No such file or directory",
                missing.getMessage());
    }

    @Test
    void aClassThatStartsProcessesIsRewrittenToCallModuleProcessesOnly() throws Exception {
        Path classes = TestJars.classes(Files.createDirectory(dir.resolve("classes")), Map.of("Spawner", SPAWNER));
        byte[] original = Files.readAllBytes(classes.resolve("Spawner.class"));
        byte[] rewritten = ModuleCallRewriter.rewrite(original);
        assertNotSame(original, rewritten);
        List<String> calls = new ArrayList<>();
        List<String> references = new ArrayList<>();
        ClassFile.of().parse(rewritten).methods().forEach(m -> m.code().ifPresent(code -> code.forEach(e -> {
            if (e instanceof InvokeInstruction call && OWNERS.contains(call.owner().asInternalName())
                    && call.name().stringValue().matches("start|startPipeline|exec")) {
                calls.add(call.owner().asInternalName() + "." + call.name().stringValue());
            }
            if (e instanceof InvokeDynamicInstruction indy) {
                for (var argument : indy.bootstrapArgs()) {
                    if (argument instanceof DirectMethodHandleDesc handle && OWNERS.contains(handle.owner().descriptorString()
                            .substring(1, handle.owner().descriptorString().length() - 1))) {
                        references.add(handle.owner().displayName() + "::" + handle.methodName());
                    }
                }
            }
        })));
        // start, startPipeline, six exec overloads, the lambda's exec, the chosen envp and environment().
        assertEquals(11, calls.size(), calls.toString());
        assertTrue(calls.stream().allMatch(c -> c.startsWith("org/pamjava/runtime/ModuleProcesses.")), calls.toString());
        assertEquals(List.of("ModuleProcesses::start", "ModuleProcesses::start", "ModuleProcesses::exec"), references);
    }

    @Test
    void aClassThatStartsNoProcessesIsReturnedAsItIsWithoutParsing() throws Exception {
        // Threads are started and RuntimeException thrown everywhere: neither is a reason to parse.
        String plain = """
                public class Plain {
                    public static void run() {
                        Thread t = new Thread(() -> { throw new RuntimeException("no"); });
                        t.start();
                        ProcessHandle.current().pid();
                    }
                }
                """;
        String asksTheRuntime = """
                public class AsksTheRuntime {
                    public static int cores() { return Runtime.getRuntime().availableProcessors(); }
                }
                """;
        String execsSomethingElse = """
                public class ExecsSomethingElse {
                    public static void run(java.util.concurrent.Executor executor) {
                        executor.execute(() -> System.out.println(Runtime.getRuntime().maxMemory()));
                    }
                }
                """;
        Path classes = TestJars.classes(Files.createDirectory(dir.resolve("classes")),
                Map.of("Plain", plain, "AsksTheRuntime", asksTheRuntime, "ExecsSomethingElse", execsSomethingElse));
        byte[] plainBytes = Files.readAllBytes(classes.resolve("Plain.class"));
        assertFalse(ModuleCallRewriter.mayCall(plainBytes));
        assertSame(plainBytes, ModuleCallRewriter.rewrite(plainBytes));
        // The Runtime asked for something else: not parsed either.
        byte[] runtimeBytes = Files.readAllBytes(classes.resolve("AsksTheRuntime.class"));
        assertFalse(ModuleCallRewriter.mayCall(runtimeBytes));
        assertSame(runtimeBytes, ModuleCallRewriter.rewrite(runtimeBytes));
        // Runtime and an "exec" (execute) without Runtime.exec: parsed, and still the same bytes.
        byte[] executorBytes = Files.readAllBytes(classes.resolve("ExecsSomethingElse.class"));
        assertTrue(ModuleCallRewriter.mayCall(executorBytes));
        assertSame(executorBytes, ModuleCallRewriter.rewrite(executorBytes));
    }
}
