package org.pamjava.runtime;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The PAM environment as a live {@code Map}: every read and write is a libpam call
 * (pam_getenv(3), pam_putenv(3), pam_getenvlist(3)); iteration is in libpam's order.
 */
final class HandleEnvironment extends AbstractMap<String, String> {
    private final LibPamHandle pamh;

    HandleEnvironment(LibPamHandle pamh) {
        this.pamh = pamh;
    }

    /** A key libpam can hold: non-empty, no '='. Such keys can never be present. */
    private static boolean isValidKey(Object key) {
        return key instanceof String s && !s.isEmpty() && s.indexOf('=') < 0 && s.indexOf('\0') < 0;
    }

    private static String checkedKey(String key) {
        Objects.requireNonNull(key, "PAM environment key");
        if (!isValidKey(key)) {
            throw new IllegalArgumentException("invalid PAM environment name \"" + key
                    + "\": it must be non-empty and contain no '='");
        }
        return key;
    }

    @Override
    public String get(Object key) {
        Objects.requireNonNull(key, "PAM environment key");
        return isValidKey(key) ? pamh.getenv((String) key) : null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public String put(String key, String value) {
        checkedKey(key);
        Objects.requireNonNull(value, "PAM environment value");
        String previous = get(key);
        pamh.putenv(key + "=" + value);
        return previous;
    }

    @Override
    public String remove(Object key) {
        String previous = get(key);
        if (previous != null) {
            pamh.putenv((String) key);
        }
        return previous;
    }

    @Override
    public int size() {
        return pamh.getenvlist().size();
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, String>> iterator() {
                List<Entry<String, String>> snapshot = new ArrayList<>();
                for (String entry : pamh.getenvlist()) {
                    int eq = entry.indexOf('=');
                    String key = eq < 0 ? entry : entry.substring(0, eq);
                    String value = eq < 0 ? "" : entry.substring(eq + 1);
                    snapshot.add(new LiveEntry(key, value));
                }
                return new Iterator<>() {
                    private int next;
                    private LiveEntry last;

                    @Override
                    public boolean hasNext() {
                        return next < snapshot.size();
                    }

                    @Override
                    public Entry<String, String> next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        last = (LiveEntry) snapshot.get(next++);
                        return last;
                    }

                    @Override
                    public void remove() {
                        if (last == null) {
                            throw new IllegalStateException();
                        }
                        HandleEnvironment.this.remove(last.getKey());
                        last = null;
                    }
                };
            }

            @Override
            public int size() {
                return HandleEnvironment.this.size();
            }
        };
    }

    /** An entry whose setValue writes through to the PAM environment. */
    private final class LiveEntry extends SimpleEntry<String, String> {
        private static final long serialVersionUID = 1L;

        LiveEntry(String key, String value) {
            super(key, value);
        }

        @Override
        public String setValue(String value) {
            put(getKey(), value);
            return super.setValue(value);
        }
    }
}
