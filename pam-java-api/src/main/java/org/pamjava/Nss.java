package org.pamjava;

import java.util.List;
import java.util.Optional;

/**
 * Users and groups through the Name Service Switch, as C modules look them up: whatever
 * {@code /etc/nsswitch.conf} configures (files, LDAP, sssd, systemd-userdb) answers, so a module
 * never parses {@code /etc/passwd} or {@code /etc/group} itself. Get it from {@link PamHandle#nss()};
 * in the test kit that is the directory the test gave its stack (a {@code FakeNss}, or the
 * machine's own), and a stack given none throws {@link IllegalStateException} there.
 *
 * <p>A user or group that does not exist is an empty {@code Optional} (or an empty list), not an
 * error. A name that is empty or holds a NUL character is an {@link IllegalArgumentException}, as
 * is an id outside 0 to 4294967295. A lookup that fails (the directory server unreachable, a corrupt database) throws
 * {@link PamException} with {@link PamConstants#PAM_AUTHINFO_UNAVAIL} and the C library's reason, so
 * a module can fail closed. Entries are immutable snapshots; the methods may be called from any
 * thread, also outside a PAM call.
 *
 * <p>Text is UTF-8: a name (of a user, a group, a member), a home directory or a shell that is not
 * valid UTF-8 makes the lookup fail ({@code PAM_AUTHINFO_UNAVAIL}, naming the field), since a
 * replaced byte could make one name equal another; in the free-text gecos field bytes that are
 * not UTF-8 (a Latin-1 name from an old directory) become U+FFFD.
 *
 * <p>Where the module runs in pam_java's resident service, the lookups are made in the service's
 * process, which uses the same {@code /etc/nsswitch.conf}. In process (a JVM pam_java started, or
 * a Java application's own) pam_java calls the C library through JNI natives of pam_java.so: a
 * lookup costs tens of microseconds plus what the source takes, the first of a cold JVM some
 * milliseconds, and no restricted-method warning is printed. The service calls it through
 * {@code java.lang.foreign}, whose first lookup costs it some 0.2 to 0.3 s once. Both give the
 * same answers and errors: one Java core decodes for both.
 *
 * <pre>{@code
 * boolean admin = pamh.nss().groupsOf(user).stream().anyMatch(g -> g.name().equals("wheel"));
 * }</pre>
 */
public interface Nss {

    /** The passwd entry of the user named {@code name} (getpwnam_r(3)), or empty when there is none. */
    Optional<UserEntry> user(String name);

    /** The passwd entry of the user with id {@code uid} (getpwuid_r(3)), or empty when there is none. */
    Optional<UserEntry> user(long uid);

    /** The group named {@code name} (getgrnam_r(3)), or empty when there is none. */
    Optional<GroupEntry> group(String name);

    /** The group with id {@code gid} (getgrgid_r(3)), or empty when there is none. */
    Optional<GroupEntry> group(long gid);

    /**
     * Every group {@code user} belongs to, the primary group of its passwd entry first, then the
     * supplementary groups in the order getgrouplist(3) gives them, each once; empty when there is
     * no such user. A group id with no group entry is left out.
     *
     * <p>getgrouplist(3) does not say when one of the sources failed (an LDAP server down): the
     * supplementary groups are those of the sources that answered, as for initgroups(3), which
     * every login uses. A module that denies members of a group should look that group up with
     * {@link #group(String)}, which does report a failure.
     */
    List<GroupEntry> groupsOf(String user);

    /** Whether {@code user} belongs to the group named {@code group}, as its primary group or a supplementary one. */
    default boolean isMember(String user, String group) {
        for (GroupEntry g : groupsOf(user)) {
            if (g.name().equals(group)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Throws {@link IllegalArgumentException} unless {@code name} can be a user or group name for
     * C: not empty and without a NUL character (C would cut the name there and look up another
     * one). {@code what} names it in the message ("user name").
     */
    static void checkName(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain a NUL character");
        }
    }

    /** Throws {@link IllegalArgumentException} unless {@code id} fits C's 32-bit unsigned {@code uid_t}/{@code gid_t}. */
    static void checkId(long id, String what) {
        if (id < 0 || id > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(what + " must be 0 to 4294967295, not " + id);
        }
    }
}
