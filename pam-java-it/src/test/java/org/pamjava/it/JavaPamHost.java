package org.pamjava.it;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM host of the integration tests: a Java application that calls the real libpam through
 * java.lang.foreign, so pam_java.so finds a JVM already running in the process. Same command line
 * and output as pam_host.c, so every test runs against both hosts.
 */
public final class JavaPamHost {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup PAM = SymbolLookup.libraryLookup("libpam.so.0", Arena.global());
    private static final MethodHandle PAM_START_CONFDIR = pam("pam_start_confdir",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle PAM_END = pam("pam_end", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PAM_SET_ITEM = pam("pam_set_item",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle PAM_PUTENV = pam("pam_putenv", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle PAM_STRERROR = pam("pam_strerror",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().find("calloc").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG));
    private static final MethodHandle GETTID = LINKER.downcallHandle(
            LINKER.defaultLookup().find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));

    private static boolean echo;
    private static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    private static MethodHandle pam(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(PAM.find(name).orElseThrow(), descriptor);
    }

    private final String prefix;
    private final String confdir;
    private final String user;
    private final String service;
    private final List<String[]> items;
    private final List<String> envs;

    private JavaPamHost(String prefix, String confdir, String user, String service, List<String[]> items,
                        List<String> envs) {
        this.prefix = prefix;
        this.confdir = confdir;
        this.user = user;
        this.service = service;
        this.items = items;
        this.envs = envs;
    }

    /** One PAM transaction: its handle and the thread whose conversation calls are expected. */
    private final class Transaction {
        final Arena arena = Arena.ofShared();
        MemorySegment pamh;
        int tid;
        boolean ended;

        int start() throws Throwable {
            tid = (int) GETTID.invokeExact();
            MethodHandle target = MethodHandles.lookup().findVirtual(Transaction.class, "converse",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class,
                            MemorySegment.class)).bindTo(this);
            MemorySegment upcall = LINKER.upcallStub(target,
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), arena);
            MemorySegment conv = arena.allocate(16);
            conv.set(ADDRESS, 0, upcall);
            conv.set(ADDRESS, 8, MemorySegment.NULL);
            MemorySegment out = arena.allocate(ADDRESS);
            MemorySegment userName = user == null ? MemorySegment.NULL : arena.allocateFrom(user);
            MemorySegment confDir = confdir == null ? MemorySegment.NULL : arena.allocateFrom(confdir);
            int rc = (int) PAM_START_CONFDIR.invokeExact(arena.allocateFrom(service), userName, conv, confDir, out);
            if (rc != 0) {
                return rc;
            }
            pamh = out.get(ADDRESS, 0);
            for (String[] item : items) {
                rc = (int) PAM_SET_ITEM.invokeExact(pamh, itemNumber(item[0]), arena.allocateFrom(item[1]));
                if (rc != 0) {
                    return rc;
                }
            }
            for (String env : envs) {
                rc = (int) PAM_PUTENV.invokeExact(pamh, arena.allocateFrom(env));
                if (rc != 0) {
                    return rc;
                }
            }
            return 0;
        }

        /** The conversation function; an exception must never escape an upcall. */
        int converse(int n, MemorySegment messages, MemorySegment responses, MemorySegment appdata) {
            try {
                if ((int) GETTID.invokeExact() != tid) {
                    System.out.println("conv-wrong-thread");
                }
                MemorySegment replies = (MemorySegment) CALLOC.invokeExact((long) n, 16L);
                replies = replies.reinterpret(16L * n);
                MemorySegment array = messages.reinterpret(8L * n);
                for (int i = 0; i < n; i++) {
                    MemorySegment m = array.get(ADDRESS, 8L * i).reinterpret(16);
                    int style = m.get(JAVA_INT, 0);
                    String text = m.get(ADDRESS, 8).reinterpret(Integer.MAX_VALUE).getString(0);
                    System.out.println("conv " + style + " " + text);
                    String reply = null;
                    if (echo) {
                        reply = text;
                    } else if (style == 1 || style == 2) {
                        synchronized (STDIN) {
                            reply = STDIN.readLine();
                        }
                        if (reply == null) {
                            return 19; // PAM_CONV_ERR; libpam frees nothing we allocated here
                        }
                    }
                    if (reply != null) {
                        byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
                        MemorySegment c = ((MemorySegment) CALLOC.invokeExact((long) bytes.length + 1, 1L))
                                .reinterpret(bytes.length + 1L);
                        MemorySegment.copy(bytes, 0, c, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
                        replies.set(ADDRESS, 16L * i, c);
                    }
                }
                responses.reinterpret(8).set(ADDRESS, 0, replies);
                return 0;
            } catch (Throwable t) {
                return 19;
            }
        }
    }

    private static int itemNumber(String name) {
        return switch (name) {
            case "service" -> 1;
            case "user" -> 2;
            case "tty" -> 3;
            case "rhost" -> 4;
            case "ruser" -> 8;
            case "user_prompt" -> 9;
            case "xdisplay" -> 11;
            case "authtok_type" -> 13;
            default -> throw new IllegalArgumentException("unknown item " + name);
        };
    }

    private String strerror(MemorySegment pamh, int rc) throws Throwable {
        MemorySegment s = (MemorySegment) PAM_STRERROR.invokeExact(pamh, rc);
        return s.reinterpret(Integer.MAX_VALUE).getString(0);
    }

    private void run(List<String> ops) throws Throwable {
        Transaction first = new Transaction();
        Transaction second = new Transaction();
        for (String spec : ops) {
            Transaction t = spec.startsWith("2:") ? second : first;
            String op = spec.startsWith("2:") ? spec.substring(2) : spec;
            if (op.equals("maps")) {
                String maps = Files.readString(Path.of("/proc/self/maps"));
                System.out.println(prefix + "maps pam_java.so=" + (maps.contains("/pam_java.so") ? "yes" : "no")
                        + " libjvm.so=" + (maps.contains("/libjvm.so") ? "yes" : "no"));
                continue;
            }
            if (t.pamh == null) {
                int rc = t.start();
                if (rc != 0) {
                    System.out.println(prefix + "start " + rc);
                    System.exit(1);
                }
            }
            MemorySegment h = t.pamh;
            int rc = switch (op) {
                case "auth" -> call("pam_authenticate", h, 0);
                case "setcred" -> call("pam_setcred", h, 2);
                case "acct" -> call("pam_acct_mgmt", h, 0);
                case "open" -> call("pam_open_session", h, 0);
                case "close" -> call("pam_close_session", h, 0);
                case "chauthtok" -> call("pam_chauthtok", h, 0);
                case "end" -> {
                    t.ended = true;
                    yield (int) PAM_END.invokeExact(h, 0);
                }
                default -> throw new IllegalArgumentException("unknown operation " + op);
            };
            System.out.println(prefix + spec + " " + rc + (op.equals("end") ? "" : " " + strerror(h, rc)));
        }
        for (Transaction t : List.of(first, second)) {
            if (t.pamh != null && !t.ended) {
                int ignored = (int) PAM_END.invokeExact(t.pamh, 0);
            }
        }
    }

    private static int call(String function, MemorySegment pamh, int flags) throws Throwable {
        return (int) pam(function, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)).invokeExact(pamh, flags);
    }

    public static void main(String[] argv) throws Throwable {
        String confdir = null;
        String user = null;
        int threads = 0;
        List<String[]> items = new ArrayList<>();
        List<String> envs = new ArrayList<>();
        int i = 0;
        for (; i < argv.length && argv[i].startsWith("--"); i++) {
            switch (argv[i]) {
                case "--confdir" -> confdir = argv[++i];
                case "--user" -> user = argv[++i];
                case "--echo" -> echo = true;
                case "--threads" -> threads = Integer.parseInt(argv[++i]);
                case "--item" -> items.add(argv[++i].split("=", 2));
                case "--env" -> envs.add(argv[++i]);
                default -> throw new IllegalArgumentException("bad option " + argv[i]);
            }
        }
        String service = argv[i++];
        List<String> ops = List.of(argv).subList(i, argv.length);
        if (threads == 0) {
            new JavaPamHost("", confdir, user, service, items, envs).run(ops);
        } else {
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                var host = new JavaPamHost("t" + t + " ", confdir, user, service, items, envs);
                running.add(Thread.ofPlatform().start(() -> {
                    try {
                        host.run(ops);
                    } catch (Throwable e) {
                        System.out.println("error " + e);
                    }
                }));
            }
            for (Thread t : running) {
                t.join();
            }
        }
        System.out.println("exit");
        System.out.flush();
    }
}
