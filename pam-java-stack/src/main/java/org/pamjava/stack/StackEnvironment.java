package org.pamjava.stack;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The PAM environment of a transaction with pam_putenv(3)/pam_getenv(3) semantics: names are
 * non-empty and contain no {@code '='}; a new variable goes to the end, a replaced one keeps its
 * place, a removed one closes the gap (libpam's list order).
 */
final class StackEnvironment extends AbstractMap<String, String> {

    private final LinkedHashMap<String, String> vars = new LinkedHashMap<>();

    @Override
    public String put(String name, String value) {
        checkName(name);
        Objects.requireNonNull(value, "PAM environment values cannot be null");
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("PAM environment value contains NUL");
        }
        return vars.put(name, value);
    }

    @Override
    public String get(Object name) {
        Objects.requireNonNull(name, "PAM environment names cannot be null");
        return vars.get(name);
    }

    @Override
    public boolean containsKey(Object name) {
        Objects.requireNonNull(name, "PAM environment names cannot be null");
        return vars.containsKey(name);
    }

    @Override
    public String remove(Object name) {
        Objects.requireNonNull(name, "PAM environment names cannot be null");
        return vars.remove(name);
    }

    @Override
    public void clear() {
        vars.clear();
    }

    @Override
    public int size() {
        return vars.size();
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, String>> iterator() {
                Iterator<Entry<String, String>> it = vars.entrySet().iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Entry<String, String> next() {
                        Entry<String, String> e = it.next();
                        return new SimpleEntry<>(e) {
                            private static final long serialVersionUID = 1L;

                            @Override
                            public String setValue(String value) {
                                String old = put(e.getKey(), value);
                                super.setValue(value);
                                return old;
                            }
                        };
                    }

                    @Override
                    public void remove() {
                        it.remove();
                    }
                };
            }

            @Override
            public int size() {
                return vars.size();
            }
        };
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "PAM environment names cannot be null");
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad PAM environment name: \"" + name + "\"");
        }
    }

    /** The environment as pam_getenvlist(3) gives it: {@code NAME=value} strings in order. */
    Map<String, String> snapshot() {
        return new LinkedHashMap<>(vars);
    }
}
