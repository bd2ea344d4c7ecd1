package org.pamjava.internal.bridge;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Strings of secrets a handle gave its module (PAM_AUTHTOK, PAM_OLDAUTHTOK, conversation
 * replies), overwritten at pam_end so the typed password does not outlive the transaction in the
 * heap. A String cannot be wiped through its API; this writes zeros into its internal array, which
 * needs {@code --add-opens java.base/java.lang} (pam_java gives its own JVM that option). In a JVM
 * that does not open java.lang (a Java application calling PAM) the Strings are left to the GC.
 * A module that must not leave a copy reads the authtok with {@code getAuthtokChars()}.
 */
final class SecretStrings {
    private static final Field VALUE = stringValueField();

    private final List<String> handedOut = new ArrayList<>();

    private static Field stringValueField() {
        try {
            Field value = String.class.getDeclaredField("value");
            value.setAccessible(true);
            return value;
        } catch (ReflectiveOperationException | RuntimeException notOpen) {
            return null;
        }
    }

    /** Whether this JVM lets pam_java wipe Strings. */
    static boolean canWipe() {
        return VALUE != null;
    }

    /** Remembers {@code secret} for {@link #wipeAll}; returns it. */
    synchronized String track(String secret) {
        if (VALUE != null && secret != null && !secret.isEmpty()) {
            handedOut.add(secret);
        }
        return secret;
    }

    /** Overwrites every remembered secret with zeros and forgets them. */
    synchronized void wipeAll() {
        for (String secret : handedOut) {
            try {
                Arrays.fill((byte[]) VALUE.get(secret), (byte) 0);
            } catch (IllegalAccessException | RuntimeException e) {
                // cannot happen once the field was made accessible; nothing else to do
            }
        }
        handedOut.clear();
    }
}
