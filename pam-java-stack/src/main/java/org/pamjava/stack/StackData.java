package org.pamjava.stack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.pamjava.DataCleanup;
import org.pamjava.PamConstants;

/**
 * The Java values of one transaction ({@code PamHandle.getData}/{@code setData}), with pam_java's
 * rules (pam-java-runtime's HandleData): every module of the transaction sees them; a replaced or
 * removed value's cleanup runs with {@code PAM_DATA_REPLACE | PAM_SUCCESS}, unless the very object
 * is stored again; pam_end runs every cleanup, in the order the values were stored, with its
 * status; a cleanup that throws is reported and the others still run.
 */
final class StackData {
    private record Entry(Object value, DataCleanup<Object> cleanup) {}

    private final Map<String, Entry> values = new LinkedHashMap<>();
    /** Where a failing cleanup is reported: the handle's log. */
    private final BiConsumer<String, Throwable> failures;
    private boolean ended;

    StackData(BiConsumer<String, Throwable> failures) {
        this.failures = failures;
    }

    <T> T get(String name, Class<T> type) {
        Objects.requireNonNull(name, "the name of handle data");
        Objects.requireNonNull(type, "the type of handle data");
        Entry entry = values.get(name);
        if (entry == null) {
            return null;
        }
        if (!type.isInstance(entry.value)) {
            throw new ClassCastException("handle data \"" + name + "\" is a " + entry.value.getClass().getName()
                    + ", not a " + type.getName());
        }
        return type.cast(entry.value);
    }

    <T> void set(String name, T value, DataCleanup<? super T> cleanup) {
        Objects.requireNonNull(name, "the name of handle data");
        if (ended) {
            throw new IllegalStateException("the PAM handle has ended: its data cannot be set");
        }
        @SuppressWarnings("unchecked")
        DataCleanup<Object> any = (DataCleanup<Object>) cleanup;
        Entry replaced = value == null ? values.remove(name) : values.put(name, new Entry(value, any));
        if (replaced != null && replaced.value != value) {
            clean(name, replaced, PamConstants.PAM_DATA_REPLACE | PamConstants.PAM_SUCCESS);
        }
    }

    /** pam_end: every cleanup with {@code status}; the data can no longer be set. */
    void end(int status) {
        ended = true;
        List<Map.Entry<String, Entry>> all = new ArrayList<>(values.entrySet());
        values.clear();
        for (Map.Entry<String, Entry> e : all) {
            clean(e.getKey(), e.getValue(), status);
        }
    }

    private void clean(String name, Entry entry, int status) {
        if (entry.cleanup == null) {
            return;
        }
        try {
            entry.cleanup.cleanup(entry.value, status);
        } catch (Throwable t) {
            failures.accept("pam_java: the cleanup of handle data \"" + name + "\" threw " + t, t);
        }
    }
}
