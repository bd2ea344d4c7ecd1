package org.pamjava.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pamjava.DataCleanup;
import org.pamjava.PamConstants;

/**
 * The Java values of one PAM handle ({@code PamHandle.getData}/{@code setData}): pam_get_data(3)
 * and pam_set_data(3) for Java, kept in Java and never in libpam's list, so no Java name meets a C
 * module's. Shared by every module instance of the handle that runs in the same place, each of
 * which is a {@link Member}; the values are cleaned up when the last member leaves at pam_end
 * ({@link HandleDataRegistry}).
 *
 * <p>A handle is used by one thread at a time, but in the resident service its members are
 * sessions on different threads, one after another: every method synchronizes, so each sees
 * what the one before stored.
 */
public final class HandleData {
    /** A stored value and what releases it. */
    private record Entry(Object value, DataCleanup<Object> cleanup) {}

    private final Map<String, Entry> values = new LinkedHashMap<>();
    /** What members that left before the last have deferred: their loaders, closed after the cleanups. */
    private final List<Closeable> afterCleanups = new ArrayList<>();
    private final HandleDataRegistry registry;
    private final Object key;
    /** Members that have not left; guarded by the registry's lock. */
    int members;
    private boolean ended;

    HandleData(HandleDataRegistry registry, Object key) {
        this.registry = registry;
        this.key = key;
    }

    /** The key the registry knows this handle by. */
    Object key() {
        return key;
    }

    /** The value stored under {@code name}, or {@code null}; a value of another type is a ClassCastException. */
    public synchronized <T> T get(String name, Class<T> type) {
        Objects.requireNonNull(name, "the name of handle data");
        Objects.requireNonNull(type, "the type of handle data");
        Entry entry = values.get(name);
        if (entry == null) {
            return null;
        }
        if (!type.isInstance(entry.value)) {
            throw new ClassCastException("handle data \"" + name + "\" is a " + describe(entry.value.getClass())
                    + ", not a " + describe(type));
        }
        return type.cast(entry.value);
    }

    /** A class, and its loader when it is a module's: two module files' classes of one name are not one class. */
    private static String describe(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        return loader == null || loader == ClassLoader.getPlatformClassLoader() ? type.getName()
                : type.getName() + " (of " + (loader.getName() != null ? loader.getName() : loader.toString()) + ")";
    }

    /**
     * Stores {@code value} under {@code name} ({@code null} removes it). The value it replaces is
     * cleaned up with {@code PAM_DATA_REPLACE | PAM_SUCCESS}, as pam_set_data(3) does, unless it
     * is the very object stored again (it does not go away); a cleanup that throws is logged.
     */
    public <T> void set(String name, T value, DataCleanup<? super T> cleanup, Diagnostics log) {
        Objects.requireNonNull(name, "the name of handle data");
        Entry replaced;
        synchronized (this) {
            if (ended) {
                throw new IllegalStateException("the PAM handle has ended: its data cannot be set");
            }
            @SuppressWarnings("unchecked")
            DataCleanup<Object> any = (DataCleanup<Object>) cleanup;
            replaced = value == null ? values.remove(name) : values.put(name, new Entry(value, any));
        }
        if (replaced != null && replaced.value != value) {
            clean(name, replaced, PamConstants.PAM_DATA_REPLACE | PamConstants.PAM_SUCCESS, log);
        }
    }

    /** Whether the handle holds no value (for tests and the registry's accounting). */
    public synchronized boolean isEmpty() {
        return values.isEmpty();
    }

    /**
     * pam_end for the values: every cleanup, in the order the values were stored, with
     * {@code status}; then what leaving members deferred. Values a cleanup stores meanwhile are
     * refused (the handle has ended).
     */
    void end(int status, Diagnostics log) {
        List<Map.Entry<String, Entry>> all;
        List<Closeable> after;
        synchronized (this) {
            ended = true;
            all = new ArrayList<>(values.entrySet());
            values.clear();
            after = new ArrayList<>(afterCleanups);
            afterCleanups.clear();
        }
        for (Map.Entry<String, Entry> e : all) {
            clean(e.getKey(), e.getValue(), status, log);
        }
        for (Closeable c : after) {
            close(c, log);
        }
    }

    synchronized void deferUntilEnd(Closeable afterCleanups) {
        this.afterCleanups.add(afterCleanups);
    }

    static void close(Closeable c, Diagnostics log) {
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            log.log(Diagnostics.LOG_WARNING, "pam_java: cannot close a module's class loader: " + e);
        }
    }

    /** One cleanup, on the cleanup's own class loader; what it throws is logged and goes no further. */
    private static void clean(String name, Entry entry, int status, Diagnostics log) {
        if (entry.cleanup == null) {
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(entry.cleanup.getClass().getClassLoader());
        try {
            entry.cleanup.cleanup(entry.value, status);
        } catch (Throwable t) {
            log.logFailure("pam_java: the cleanup of handle data \"" + name + "\" threw " + t.getClass().getName()
                    + " (the other cleanups still run)", t);
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /**
     * One module instance's share of its handle's data: what its {@code PamHandle} reads and
     * writes, and what it gives up, once, when the instance ends.
     */
    public static final class Member {
        private final HandleData data;
        private boolean left;

        Member(HandleData data) {
            this.data = data;
        }

        /** A handle's data of its own, in no registry (a handle the runtime makes outside pam_java.so's calls). */
        public static Member alone() {
            return new HandleDataRegistry().join(new Object());
        }

        /** The handle's values. */
        public HandleData data() {
            return data;
        }

        /**
         * The instance ended: when it was the handle's last, every value is cleaned up with
         * {@code status} and then {@code afterwards} runs (with what earlier members deferred);
         * else {@code afterwards} waits for that. A second call does nothing.
         *
         * @param afterwards what to close once no cleanup can need the instance's classes (its loader)
         */
        public void leave(int status, Diagnostics log, Closeable afterwards) {
            if (left) {
                return;
            }
            left = true;
            if (data.registry.leave(data)) {
                data.end(status, log);
                if (afterwards != null) {
                    close(afterwards, log);
                }
            } else if (afterwards != null) {
                data.deferUntilEnd(afterwards);
            }
        }
    }
}
