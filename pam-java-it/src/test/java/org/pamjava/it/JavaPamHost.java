package org.pamjava.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.client.PamItem;
import org.pamjava.client.PamTransaction;

/**
 * The JVM host of the integration tests: a Java application that calls the real libpam through
 * pam-java-client (java.lang.foreign), so pam_java.so finds a JVM already running in the process.
 * Same command line and output as pam_host.c, so every test runs against both hosts.
 */
public final class JavaPamHost {
    private static boolean echo;
    private static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

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

    /** One PAM transaction and the thread whose conversation calls are expected. */
    private final class Transaction {
        PamTransaction pam;
        Thread owner;
        boolean ended;

        void start() {
            owner = Thread.currentThread();
            pam = PamTransaction.start(service, user, message -> {
                if (Thread.currentThread() != owner) {
                    System.out.println("conv-wrong-thread");
                }
                System.out.println("conv " + message.msgStyle() + " " + message.msg());
                if (echo) {
                    return message.msg().toCharArray();
                }
                if (message.msgStyle() != PamConstants.PAM_PROMPT_ECHO_OFF && message.msgStyle() != PamConstants.PAM_PROMPT_ECHO_ON) {
                    return null;
                }
                String reply;
                synchronized (STDIN) {
                    try {
                        reply = STDIN.readLine();
                    } catch (java.io.IOException e) {
                        reply = null;
                    }
                }
                if (reply == null) {
                    throw new PamException(PamConstants.PAM_CONV_ERR, "end of input");
                }
                return reply.toCharArray();
            }, confdir == null ? null : Path.of(confdir));
            for (String[] item : items) {
                pam.setItem(item(item[0]), item[1]);
            }
            for (String env : envs) {
                int eq = env.indexOf('=');
                pam.putenv(eq < 0 ? env : env.substring(0, eq), eq < 0 ? null : env.substring(eq + 1));
            }
        }
    }

    private static PamItem item(String name) {
        return switch (name) {
            case "service" -> PamItem.SERVICE;
            case "user" -> PamItem.USER;
            case "tty" -> PamItem.TTY;
            case "rhost" -> PamItem.RHOST;
            case "ruser" -> PamItem.RUSER;
            case "user_prompt" -> PamItem.USER_PROMPT;
            case "xdisplay" -> PamItem.XDISPLAY;
            case "authtok_type" -> PamItem.AUTHTOK_TYPE;
            default -> throw new IllegalArgumentException("unknown item " + name);
        };
    }

    private void run(List<String> ops) throws Exception {
        Transaction first = new Transaction();
        Transaction second = new Transaction();
        for (String spec : ops) {
            Transaction t = spec.startsWith("2:") ? second : first;
            String op = spec.startsWith("2:") ? spec.substring(2) : spec;
            if (op.startsWith("touch:")) {
                Path file = Path.of(op.substring("touch:".length()));
                if (!Files.exists(file)) {
                    Files.createFile(file);
                }
                continue;
            }
            if (op.startsWith("waitfor:")) {
                // As pam_host's: a handshake with a module's own thread, a minute at most.
                Path file = Path.of(op.substring("waitfor:".length()));
                int tries = 0;
                for (; !Files.exists(file) && tries < 60_000; tries++) {
                    Thread.sleep(1);
                }
                if (tries == 60_000) {
                    System.out.println(prefix + "waitfor timeout");
                }
                continue;
            }
            if (op.equals("maps")) {
                String maps = Files.readString(Path.of("/proc/self/maps"));
                System.out.println(prefix + "maps pam_java.so=" + (maps.contains("/pam_java.so") ? "yes" : "no")
                        + " libjvm.so=" + (maps.contains("/libjvm.so") ? "yes" : "no"));
                continue;
            }
            if (t.pam == null) {
                try {
                    t.start();
                } catch (PamException e) {
                    System.out.println(prefix + "start " + e.pamCode());
                    System.exit(1);
                }
            }
            PamTransaction pam = t.pam;
            int rc = switch (op) {
                case "auth" -> pam.authenticate(0);
                case "setcred" -> pam.setcred(PamConstants.PAM_ESTABLISH_CRED);
                case "acct" -> pam.acctMgmt(0);
                case "open" -> pam.openSession(0);
                case "close" -> pam.closeSession(0);
                case "chauthtok" -> pam.chauthtok(0);
                case "end" -> {
                    t.ended = true;
                    yield pam.end(PamConstants.PAM_SUCCESS);
                }
                default -> {
                    if (!op.startsWith("end:")) { // end:STATUS, as pam_host's
                        throw new IllegalArgumentException("unknown operation " + op);
                    }
                    t.ended = true;
                    yield pam.end(Integer.decode(op.substring("end:".length())));
                }
            };
            System.out.println(prefix + spec + " " + rc + (op.equals("end") || op.startsWith("end:") ? "" : " " + pam.strerror(rc)));
        }
        for (Transaction t : List.of(first, second)) {
            if (t.pam != null && !t.ended) {
                t.pam.end(PamConstants.PAM_SUCCESS);
            }
        }
    }

    public static void main(String[] argv) throws Exception {
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
