package org.pamjava;

/**
 * State a module keeps across PAM handles: a connection pool, a cache, a rate limiter. A module
 * names its state class with {@link SharedState}; the runtime creates one instance of it per
 * loaded version of the module file (its public no-argument constructor is the {@code init}), hands
 * it to each module instance's constructor, and calls {@link #close} once when that version is
 * done with.
 *
 * <p>One instance per process when the module runs in the application, one for the whole service
 * when it runs in pam_java's resident service, so many handles use it at once, from many threads:
 * the class must be thread-safe. It is created at the first handle of its version, exactly once
 * however many handles start together (they wait for it). A constructor that throws fails that
 * handle's load: every operation of the handle returns {@code PAM_SERVICE_ERR}, the reason is in
 * syslog, and the next handle tries again (a server that was down at the first login does not
 * lock everyone out until the file changes).
 *
 * <p>{@code close} runs once: when the module file has changed (a later handle loaded the new
 * version, which gets a state of its own) and no handle of the old version is left, on the thread
 * that ended the last one (its pam_end); when the resident service stops; and in the test kit when
 * the {@code TestStack} is closed. In an application's own process the JVM's shutdown hooks run it
 * (for at most a second in all): at a Java application's exit, or when Java code ends a C
 * application's JVM. A C application's own {@code exit(3)} or {@code _exit(2)} runs no Java at all,
 * and the process's end releases what the state held.
 */
public interface ModuleState extends AutoCloseable {
    /**
     * Releases what the state holds. An exception thrown here is logged and otherwise ignored.
     * The default does nothing.
     */
    @Override
    default void close() {}
}
