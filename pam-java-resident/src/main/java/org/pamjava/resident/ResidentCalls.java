package org.pamjava.resident;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pamjava.runtime.Diagnostics;

/**
 * The connections the service serves and the module calls running on them, for what must reach
 * every one at once: the JVM's exit, which closes them all (their calls in flight fail closed in
 * their applications), and the watch for stuck calls.
 *
 * <p>A stuck call is one whose module has run longer than pam_java.conf's {@code timeout} (plus
 * {@link #STUCK_GRACE_MILLIS}), not counting the time it waited for its application (the
 * conversation, the user typing), as pam_java.so counts it: its application has given up on it
 * (PAM_AUTHINFO_UNAVAIL) and closed the connection, but its thread runs on. Java cannot stop a
 * thread (Thread.stop is gone), so the watch interrupts it once (a module in sleep, wait or
 * interruptible I/O then returns) and counts it. Each costs a thread of the connection pool and,
 * when it loops, a CPU: when {@link #MAX_STUCK_CALLS} are stuck at once the service exits with
 * {@link #EXIT_STUCK}, so that systemd (Restart=always) starts a fresh JVM; the calls in flight
 * then fail closed, as at any exit, and logins wait in the socket's backlog for the new service.
 */
final class ResidentCalls {
    /** Stuck calls at once that make the service exit: beyond them, loops would take every CPU of a small machine. */
    static final int MAX_STUCK_CALLS = 4;
    /** Beyond timeout before a call counts as stuck: the application's clock and the service's differ a little. */
    static final long STUCK_GRACE_MILLIS = 1000;
    /** How often the watch looks, at most. */
    static final long WATCH_MILLIS = 500;
    /** The exit status when too many calls are stuck (EX_TEMPFAIL: a fresh start mends it). */
    static final int EXIT_STUCK = 75;

    /** One connection: its socket, to close at the exit, and its channel, which knows its call. */
    private record Served(SocketChannel socket, ResidentChannel channel) {}

    private final Diagnostics log;
    private final Set<Served> served = ConcurrentHashMap.newKeySet();
    private volatile boolean exiting;

    ResidentCalls(Diagnostics log) {
        this.log = log;
    }

    /** Registers a connection; false once the JVM is exiting (the connection is then not served). */
    boolean add(SocketChannel socket, ResidentChannel channel) {
        Served s = new Served(socket, channel);
        served.add(s);
        // After the add: closeAll sets exiting before it looks, so one of the two sees the other.
        if (exiting) {
            served.remove(s);
            return false;
        }
        return true;
    }

    void remove(SocketChannel socket, ResidentChannel channel) {
        served.remove(new Served(socket, channel));
    }

    boolean exiting() {
        return exiting;
    }

    /**
     * At the JVM's exit: no connection is served from now on, and every open one is closed, so
     * that no call in flight sends a result after the exit began. Returns the modules whose calls
     * were in flight (one of them may be what ended the JVM).
     */
    List<String> closeAll() {
        exiting = true;
        List<String> inFlight = new ArrayList<>();
        for (Served s : served) {
            String module = s.channel().callModule();
            if (module != null) {
                inFlight.add(module);
            }
            try {
                s.socket().close();
            } catch (IOException e) {
                // closing is all there is to do with it
            }
        }
        return inFlight;
    }

    /**
     * One look for stuck calls (see the class comment): a call newly past {@code timeoutMillis} +
     * {@link #STUCK_GRACE_MILLIS} of module time is logged and interrupted. Returns how many
     * calls are stuck now (a stuck call whose module returns at last no longer counts).
     */
    int watch(long timeoutMillis, long nowNanos) {
        long limit = (timeoutMillis + STUCK_GRACE_MILLIS) * 1_000_000;
        int stuck = 0;
        List<ResidentChannel> newly = new ArrayList<>();
        for (Served s : served) {
            if (s.channel().moduleNanos(nowNanos) > limit) {
                stuck++;
                if (s.channel().markStuck()) {
                    newly.add(s.channel());
                }
            }
        }
        for (ResidentChannel channel : newly) {
            Thread thread = channel.callThread();
            log.log(Diagnostics.LOG_ERR, "pam_java resident: the call of " + channel.callModule() + " has run for more"
                    + " than " + limit / 1_000_000 + " ms of module time, past timeout (" + timeoutMillis + " ms): its"
                    + " application has given up on it. Java cannot stop its thread"
                    + (thread == null ? "" : " (" + thread.getName() + ")") + ": it is interrupted, and counted while"
                    + " it runs on (" + stuck + " stuck now; at " + MAX_STUCK_CALLS + " the service exits for a fresh"
                    + " start)");
            if (thread != null) {
                thread.interrupt();
            }
        }
        return stuck;
    }

    /**
     * Watches for stuck calls on a daemon thread of its own, every {@link #WATCH_MILLIS} at most;
     * when {@link #MAX_STUCK_CALLS} are stuck, ends the JVM with {@link #EXIT_STUCK}. Nothing to
     * watch with {@code timeoutMillis} 0: applications then wait as long as a module takes.
     */
    void startWatch(long timeoutMillis) {
        if (timeoutMillis <= 0) {
            return;
        }
        long every = Math.max(10, Math.min(WATCH_MILLIS, timeoutMillis / 2));
        Thread watch = new Thread(() -> {
            while (!exiting) {
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
                int stuck = watch(timeoutMillis, System.nanoTime());
                if (stuck >= MAX_STUCK_CALLS) {
                    log.log(Diagnostics.LOG_CRIT, "pam_java resident: " + stuck + " calls are stuck past timeout;"
                            + " exiting with status " + EXIT_STUCK + " for a fresh start (systemd restarts the service;"
                            + " the calls in flight fail)");
                    System.exit(EXIT_STUCK);
                }
            }
        }, "pam_java resident stuck-call watch");
        watch.setDaemon(true);
        watch.start();
    }
}
