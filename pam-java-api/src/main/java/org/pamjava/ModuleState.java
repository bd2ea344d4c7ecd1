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
 * the class must be thread-safe. {@code close} runs when the module file has changed (the next
 * handle loads the new version) and no handle of the old version is left, and when the resident
 * service stops; in an application's own process it also runs at exit when the JVM gets to run its
 * shutdown hooks, which a process ending with {@code _exit} does not.
 */
public interface ModuleState extends AutoCloseable {
    /**
     * Releases what the state holds. An exception thrown here is logged and otherwise ignored.
     * The default does nothing.
     */
    @Override
    default void close() {}
}
