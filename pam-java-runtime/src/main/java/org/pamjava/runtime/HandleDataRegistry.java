package org.pamjava.runtime;

import java.util.HashMap;
import java.util.Map;

/**
 * The Java data of the PAM handles that run their modules here, by a key that names one handle:
 * its {@code pam_handle_t} address in the process's JVM, the client process and that address in
 * the resident service. A handle's {@link HandleData} is made at its first module instance's
 * {@link #join} and removed when its last one leaves (pam_end), so a long-lived host or the
 * service keeps nothing of a handle that has ended, and a later handle at the same address starts
 * empty. Thread-safe: many handles' calls run at once.
 */
public final class HandleDataRegistry {
    private final Map<Object, HandleData> handles = new HashMap<>();

    /** A new module instance of the handle {@code key} names: its share of the handle's data. */
    public synchronized HandleData.Member join(Object key) {
        HandleData data = handles.get(key);
        if (data == null) {
            data = new HandleData(this, key);
            handles.put(key, data);
        }
        data.members++;
        return new HandleData.Member(data);
    }

    /** A member of {@code data} left; true when it was the last, and the handle's data is gone from here. */
    synchronized boolean leave(HandleData data) {
        if (--data.members > 0) {
            return false;
        }
        if (handles.get(data.key()) == data) {
            handles.remove(data.key());
        }
        return true;
    }

    /** How many handles hold data here now (each from its first instance to its pam_end). */
    public synchronized int handles() {
        return handles.size();
    }
}
