package org.pamjava.resident;

import java.util.List;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.SharedStates;

/**
 * What the service does when its JVM exits, however that came: SIGTERM (systemctl stop or
 * restart), too many stuck calls, or module code that reached System.exit or Runtime.exit past
 * the loader's rewrite (reflection, a method handle, JDK code such as javac's main; a direct call
 * throws instead, see ModuleCallRewriter). Runtime.halt ends the process at once, without this,
 * and every connection with it.
 *
 * <p>Every call in flight then fails closed in its application (PAM_SERVICE_ERR, never run again
 * in-process): the hook closes every connection before anything else can send a result, and no
 * connection accepted from then on is served. Under systemd (Restart=always) the unit starts a
 * new service, and logins wait in the socket's backlog meanwhile. The exit is bounded: shutdown
 * hooks a module registered run alongside this one, and one that never returns would keep the
 * JVM, and so the unit, from ever restarting; {@link #GRACE_MILLIS} after the exit began the JVM
 * halts, whatever still runs.
 *
 * <p>Once the connections are closed, the modules' shared states ({@link org.pamjava.SharedState})
 * are closed, within the same grace.
 */
final class ResidentExit {
    /** How long other shutdown hooks (a module's) may run before the JVM halts. */
    static final long GRACE_MILLIS = 2000;
    /** The status of a halt after the grace (EX_SOFTWARE). */
    static final int EXIT_HOOKS_HUNG = 70;

    private ResidentExit() {}

    /**
     * Registers the hook. {@code removeSocket} runs first (a socket the service bound itself, so
     * that applications find none and run in-process at once, or a service started anew binds
     * it), or is null (systemd's socket, which stays and queues connections); {@code states}
     * are closed last.
     */
    static void install(ResidentCalls calls, Diagnostics log, Runnable removeSocket, SharedStates states) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Thread halt = new Thread(() -> {
                try {
                    Thread.sleep(GRACE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                log.log(Diagnostics.LOG_CRIT, "pam_java resident: shutdown hooks still run " + GRACE_MILLIS
                        + " ms after the exit began (a module's?); halting with status " + EXIT_HOOKS_HUNG);
                Runtime.getRuntime().halt(EXIT_HOOKS_HUNG);
            }, "pam_java resident halt");
            halt.setDaemon(true);
            halt.start();
            if (removeSocket != null) {
                removeSocket.run();
            }
            List<String> inFlight = calls.closeAll();
            log.log(Diagnostics.LOG_NOTICE, "pam_java resident: exiting; " + (inFlight.isEmpty() ? "no call was in flight"
                    : inFlight.size() + " calls in flight fail in their applications: " + String.join(", ", inFlight)
                    + " (with no line before saying why, one of these modules ended the JVM, or a signal did)"));
            states.closeAll();
        }, "pam_java resident exit"));
    }
}
