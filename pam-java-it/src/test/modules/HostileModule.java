import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * A module that misbehaves on purpose, in the way its "how=" argument says, for the hardening
 * tests; "out=FILE" receives observations. Any other operation than authenticate succeeds.
 */
public class HostileModule implements PamModule {
    private static Object lockA = new Object();
    private static Object lockB = new Object();

    private static void record(List<String> args, String line) {
        for (String a : args) {
            if (a.startsWith("out=")) {
                try {
                    Files.writeString(Path.of(a.substring(4)), line + "\n", StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    /** Writes to address 0 through Unsafe: a SIGSEGV HotSpot cannot turn into an exception. */
    private static void crash(List<String> args) {
        try {
            var field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            field.setAccessible(true);
            Object unsafe = field.get(null);
            unsafe.getClass().getMethod("putAddress", long.class, long.class).invoke(unsafe, 0L, 0L);
        } catch (ReflectiveOperationException e) {
            record(args, "cannot crash: " + e);
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Override
    public int authenticate(PamHandle pamh, int flags, List<String> args) {
        String how = args.size() > 1 ? args.get(1).substring("how=".length()) : "";
        switch (how) {
            case "exit" -> System.exit(0);
            case "runtimeexit" -> Runtime.getRuntime().exit(0);
            case "halt" -> Runtime.getRuntime().halt(0);
            // Paths to the JVM's exit that no rewriting of the module's own calls can see.
            case "reflectexit" -> {
                try {
                    Runtime.class.getMethod("exit", int.class).invoke(Runtime.getRuntime(), 0);
                } catch (ReflectiveOperationException e) {
                    record(args, "cannot exit: " + e);
                }
            }
            // pam_java's own classes share the class path with the API: none may be named.
            case "internals" -> {
                for (String name : List.of("org.pamjava.PamConstants", "org.pamjava.host.HostNatives",
                        "org.pamjava.host.NativeEntry", "org.pamjava.runtime.ModuleDispatch",
                        "org.pamjava.runtime.LibPamHandle", "org.pamjava.resident.ResidentService",
                        "org.pamjava.resident.ResidentChannel")) {
                    try {
                        Class.forName(name);
                        record(args, "internals visible " + name);
                    } catch (ClassNotFoundException e) {
                        record(args, "internals hidden " + name);
                    }
                }
                return PamConstants.PAM_SUCCESS;
            }
            case "methodref" -> {
                java.util.function.IntConsumer exit = System::exit;
                exit.accept(0);
            }
            case "halthandle" -> {
                try {
                    java.lang.invoke.MethodHandles.publicLookup().findVirtual(Runtime.class, "halt",
                            java.lang.invoke.MethodType.methodType(void.class, int.class))
                            .invoke(Runtime.getRuntime(), 0);
                } catch (Throwable e) {
                    record(args, "cannot halt: " + e);
                }
            }
            case "javacmain" -> {
                // JDK code that ends the JVM itself (javac's Main calls System.exit with its result).
                try {
                    Class.forName("com.sun.tools.javac.Main", true, ClassLoader.getSystemClassLoader())
                            .getMethod("main", String[].class).invoke(null, (Object) new String[] {"-version"});
                } catch (ReflectiveOperationException e) {
                    record(args, "cannot run javac: " + e);
                }
            }
            // A shutdown hook that never returns, then an exit no rewriting sees: the JVM's exit must still end.
            case "hangexit" -> {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> sleep(Long.MAX_VALUE), "never-returns"));
                try {
                    System.class.getMethod("exit", int.class).invoke(null, 0);
                } catch (ReflectiveOperationException e) {
                    record(args, "cannot exit: " + e);
                }
            }
            // Says which process it runs in, then waits (10 minutes at most): a call in flight for as
            // long as a test needs one. An interrupt ends it with a clear no.
            case "wait" -> {
                record(args, "started pid=" + ProcessHandle.current().pid());
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    return PamConstants.PAM_AUTH_ERR;
                }
                return PamConstants.PAM_AUTH_ERR;
            }
            // Says which process it runs in, then loops for ever, deaf to interrupts.
            case "spin" -> {
                record(args, "started pid=" + ProcessHandle.current().pid());
                long n = 0;
                while (n >= 0) {
                    n++;
                }
            }
            case "stackoverflow" -> recurse(0);
            case "oom" -> {
                List<long[]> hog = new ArrayList<>();
                while (true) {
                    hog.add(new long[1 << 20]);
                }
            }
            case "loop" -> {
                long n = 0;
                while (n >= 0) {
                    n++;
                }
            }
            case "deadlock" -> {
                Thread other = new Thread(() -> {
                    synchronized (lockB) {
                        sleep(200);
                        synchronized (lockA) {
                            lockA.notify();
                        }
                    }
                });
                synchronized (lockA) {
                    other.start();
                    sleep(100);
                    synchronized (lockB) {
                        return PamConstants.PAM_SUCCESS;
                    }
                }
            }
            case "thread" -> {
                // A plain new thread, never ended: it inherits being a daemon from pam_java's thread.
                new Thread(() -> sleep(Long.MAX_VALUE), "left-running").start();
            }
            case "properties" -> {
                for (String p : List.of("user.home", "java.io.tmpdir", "java.class.path", "java.library.path")) {
                    record(args, "property " + p + "=" + System.getProperty(p));
                }
                record(args, "timezone " + java.util.TimeZone.getDefault().getID());
                record(args, "locale " + java.util.Locale.getDefault());
            }
            case "planted" -> {
                try {
                    Class.forName("Planted");
                    record(args, "planted class loaded");
                } catch (ClassNotFoundException e) {
                    record(args, "planted class not found");
                }
                record(args, "planted services " + ServiceLoader.load(Runnable.class).stream().count());
                record(args, "planted resource " + HostileModule.class.getClassLoader().getResource("planted.txt"));
            }
            case "item" -> {
                try {
                    record(args, "tty " + pamh.getTty());
                } catch (PamException e) {
                    record(args, "tty PamException " + e.pamCode() + " " + e.getMessage());
                }
            }
            case "crash" -> crash(args);
            case "environment" -> {
                // What a module and its child processes see of the environment.
                record(args, "getenv " + new java.util.TreeMap<>(System.getenv()));
                try {
                    Process child = new ProcessBuilder("/usr/bin/env").redirectErrorStream(true).start();
                    String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    child.waitFor();
                    record(args, "child " + String.join(" ", out.strip().split("\n")));
                } catch (IOException e) {
                    record(args, "cannot start a child: " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            case "ownthreadspawns" -> {
                // A thread of the module's own starts /usr/bin/env while the host runs its own code:
                // once the host shows the prompt (its stdout, dir=DIR/stdout.txt) and waits in the
                // conversation for a reply, which this thread then writes to the host's stdin (the
                // FIFO DIR/reply), and again after the call returned, once the host creates
                // DIR/later. DIR/done says it finished. The call's own thread starts one too.
                Path dir = Path.of(argument(args, "dir="));
                Thread own = new Thread(() -> spawnWhileTheHostRuns(args, dir), "starts-processes");
                own.setDaemon(true);
                own.start();
                var reply = pamh.conversation(new org.pamjava.Message(PamConstants.PAM_PROMPT_ECHO_ON, "Go on? "));
                try {
                    record(args, "in-call " + environmentOf(new ProcessBuilder("/usr/bin/env").start()));
                } catch (IOException e) {
                    record(args, "cannot start a child: " + e);
                }
                return "yes".equals(reply.resp()) ? PamConstants.PAM_SUCCESS : PamConstants.PAM_AUTH_ERR;
            }
            case "slowanswer" -> {
                // About a second of the process's running time, then a clear no: a stop of the
                // process swallows one 10 ms sleep, not the rest.
                record(args, "started");
                for (int i = 0; i < 100; i++) {
                    sleep(10);
                }
                return PamConstants.PAM_AUTH_ERR;
            }
            case "threadcrash" -> {
                // A JVM crash on a thread of the module's own, while the call waits for it.
                Thread crasher = new Thread(() -> crash(args), "crasher");
                crasher.start();
                try {
                    crasher.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            case "nullcanary" -> {
                // Arithmetic only, so a NullPointerException can only come from outside: a forged
                // SIGSEGV read by HotSpot as an implicit null check. A module that maps errors to
                // PAM_IGNORE is what such an injection would exploit.
                record(args, "started");
                try {
                    long n = 1;
                    for (long end = System.nanoTime() + 20_000_000_000L; System.nanoTime() < end; ) {
                        n = n * 31 + 7;
                    }
                    record(args, "finished " + (n == 0));
                } catch (NullPointerException e) {
                    record(args, "caught " + e);
                    return PamConstants.PAM_IGNORE;
                }
                return PamConstants.PAM_AUTH_ERR;
            }
            case "answer" -> {
                return PamConstants.PAM_AUTH_ERR;
            }
            case "secret" -> {
                var reply = pamh.conversation(new org.pamjava.Message(PamConstants.PAM_PROMPT_ECHO_OFF, "Password: "));
                return reply.resp() != null && reply.resp().startsWith("Zq9-") ? PamConstants.PAM_SUCCESS
                        : PamConstants.PAM_AUTH_ERR;
            }
            default -> { }
        }
        return PamConstants.PAM_SUCCESS;
    }

    @Override
    public int acctMgmt(PamHandle pamh, int flags, List<String> args) {
        return PamConstants.PAM_SUCCESS;
    }

    private static String argument(List<String> args, String prefix) {
        for (String a : args) {
            if (a.startsWith(prefix)) {
                return a.substring(prefix.length());
            }
        }
        throw new IllegalArgumentException(prefix + " is required");
    }

    /** A child's environment, its variables sorted (the order is the launcher's). */
    private static String environmentOf(Process child) throws IOException {
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            child.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return String.join(" ", new java.util.TreeSet<>(List.of(out.strip().split("\n"))));
    }

    /** Waits (a minute at most) until {@code ready} holds. */
    private static boolean waitUntil(java.util.function.BooleanSupplier ready) {
        for (int i = 0; i < 60_000 && !ready.getAsBoolean(); i++) {
            sleep(1);
        }
        return ready.getAsBoolean();
    }

    private static void spawnWhileTheHostRuns(List<String> args, Path dir) {
        try {
            Path hostOutput = dir.resolve("stdout.txt");
            waitUntil(() -> {
                try {
                    return Files.readString(hostOutput).contains("conv 2 Go on?");
                } catch (IOException e) {
                    return false;
                }
            });
            record(args, "in-conversation " + environmentOf(new ProcessBuilder("/usr/bin/env").start()));
            Files.writeString(dir.resolve("reply"), "yes\n");
            if (!waitUntil(() -> Files.exists(dir.resolve("later")))) {
                record(args, "the host never created " + dir.resolve("later"));
            }
            record(args, "after-call " + environmentOf(Runtime.getRuntime().exec(new String[] {"/usr/bin/env"})));
            // A program named without a '/': looked up in a PATH, which must not be the caller's.
            record(args, "after-call-by-name " + environmentOf(
                    ProcessBuilder.startPipeline(List.of(new ProcessBuilder("env"))).get(0)));
        } catch (IOException e) {
            record(args, "cannot start a child: " + e);
        } finally {
            try {
                Files.createFile(dir.resolve("done"));
            } catch (IOException e) {
                record(args, "cannot create done: " + e);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
