package org.pamjava.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The Strings of secrets a handle gave its module (PAM_AUTHTOK, PAM_OLDAUTHTOK, conversation
 * replies), overwritten at pam_end so the typed password does not outlive the transaction in the
 * heap. A String cannot be wiped through its API: pam_java.so zeroes its internal array through
 * JNI ({@link PamCalls#wipeString}), which needs no reflection into java.base, works in a Java
 * application's JVM too, and spins no method handles at a cold start. A module that must not leave
 * copies of its own reads the authtok with {@code getAuthtokChars()}.
 */
public final class SecretStrings {
    private final List<String> handedOut = new ArrayList<>();
    private final PamCalls libpam;

    public SecretStrings(PamCalls libpam) {
        this.libpam = libpam;
    }

    /** Remembers {@code secret} for {@link #wipeAll}; returns it. */
    synchronized String track(String secret) {
        if (secret != null && !secret.isEmpty()) {
            handedOut.add(secret);
        }
        return secret;
    }

    /** Overwrites every remembered secret with zeros and forgets them. */
    synchronized void wipeAll() {
        for (String secret : handedOut) {
            libpam.wipeString(secret);
        }
        handedOut.clear();
    }
}
