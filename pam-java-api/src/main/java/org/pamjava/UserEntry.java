package org.pamjava;

import java.util.Objects;

/**
 * A user's passwd entry as the Name Service Switch gives it (getpwnam_r(3), getpwuid_r(3)): local
 * files, LDAP, sssd or whatever {@code /etc/nsswitch.conf} names. The password field is left out
 * (it is {@code x} where shadow passwords are used, and no module should rely on it).
 *
 * @param name the login name ({@code pw_name})
 * @param uid the user id ({@code pw_uid}), 0 to 4294967295
 * @param gid the primary group id ({@code pw_gid})
 * @param gecos the real name and other details ({@code pw_gecos}), possibly empty; bytes that
 *     are not UTF-8 are U+FFFD here
 * @param home the home directory ({@code pw_dir})
 * @param shell the login shell ({@code pw_shell}), possibly empty
 */
public record UserEntry(String name, long uid, long gid, String gecos, String home, String shell) {
    /** Checks that no field is null and that the ids are 32-bit unsigned values. */
    public UserEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(gecos, "gecos");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(shell, "shell");
        Nss.checkId(uid, "uid");
        Nss.checkId(gid, "gid");
    }
}
