package org.pamjava.testing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.pamjava.GroupEntry;
import org.pamjava.Nss;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.UserEntry;

/**
 * A directory of users and groups for module tests, given to a stack with
 * {@link TestStack#nss(Nss)}: what {@code PamHandle.nss()} answers, whatever the machine running the
 * test has. It answers as the C library does: a missing user or group is empty, lookups by id give
 * the first entry with that id, and {@link #groupsOf} gives the user's primary group first and then
 * every group that lists the user as a member, each group id once (getgrouplist(3)); names and ids
 * are checked as the real lookups check them. Immutable and thread-safe.
 *
 * <pre>{@code
 * FakeNss nss = FakeNss.builder()
 *         .user("alice", 1000, 1000)
 *         .group("alice", 1000)
 *         .group("staff", 50, "alice", "bob")
 *         .build();
 * TestStack stack = TestStack.service("login", "auth required pam_java.so Office.java group=staff")
 *         .module("Office.java", OfficeModule::new)
 *         .nss(nss);
 * }</pre>
 *
 * <p>{@link Builder#unavailable(String)} makes a directory that is down: every lookup throws
 * {@link PamException} with {@code PAM_AUTHINFO_UNAVAIL}, as an unreachable LDAP server does, to
 * test that a module fails closed.
 */
public final class FakeNss implements Nss {
    private final List<UserEntry> users;
    private final List<GroupEntry> groups;
    private final String unavailable;

    private FakeNss(List<UserEntry> users, List<GroupEntry> groups, String unavailable) {
        this.users = List.copyOf(users);
        this.groups = List.copyOf(groups);
        this.unavailable = unavailable;
    }

    /** A builder of an empty directory. */
    public static Builder builder() {
        return new Builder();
    }

    /** A directory with no users and no groups: every lookup is empty. */
    public static FakeNss empty() {
        return builder().build();
    }

    /** Builds a {@link FakeNss}: users and groups in the order they are added, names unique. */
    public static final class Builder {
        private final List<UserEntry> users = new ArrayList<>();
        private final List<GroupEntry> groups = new ArrayList<>();
        private String unavailable;

        private Builder() {}

        /** Adds a user with the home directory {@code /home/NAME}, the shell {@code /bin/sh} and an empty gecos. */
        public Builder user(String name, long uid, long gid) {
            return user(new UserEntry(name, uid, gid, "", "/home/" + name, "/bin/sh"));
        }

        /**
         * Adds {@code user}.
         *
         * @throws IllegalArgumentException when its name is not a valid name or is taken
         */
        public Builder user(UserEntry user) {
            Nss.checkName(user.name(), "user name");
            for (UserEntry u : users) {
                if (u.name().equals(user.name())) {
                    throw new IllegalArgumentException("user " + user.name() + " is already in this directory");
                }
            }
            users.add(user);
            return this;
        }

        /** Adds a group whose member list ({@code gr_mem}) is {@code members}. */
        public Builder group(String name, long gid, String... members) {
            return group(new GroupEntry(name, gid, List.of(members)));
        }

        /**
         * Adds {@code group}.
         *
         * @throws IllegalArgumentException when its name or a member's is not a valid name, or the name is taken
         */
        public Builder group(GroupEntry group) {
            Nss.checkName(group.name(), "group name");
            for (String member : group.members()) {
                Nss.checkName(member, "member name");
            }
            for (GroupEntry g : groups) {
                if (g.name().equals(group.name())) {
                    throw new IllegalArgumentException("group " + group.name() + " is already in this directory");
                }
            }
            groups.add(group);
            return this;
        }

        /**
         * Makes the directory unreachable: every lookup throws {@link PamException} with
         * {@code PAM_AUTHINFO_UNAVAIL} and {@code reason} as its message.
         */
        public Builder unavailable(String reason) {
            this.unavailable = java.util.Objects.requireNonNull(reason, "reason");
            return this;
        }

        /** The directory. */
        public FakeNss build() {
            return new FakeNss(users, groups, unavailable);
        }
    }

    private void checkAvailable() {
        if (unavailable != null) {
            throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, unavailable);
        }
    }

    @Override
    public Optional<UserEntry> user(String name) {
        Nss.checkName(name, "user name");
        checkAvailable();
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }

    @Override
    public Optional<UserEntry> user(long uid) {
        Nss.checkId(uid, "uid");
        checkAvailable();
        return users.stream().filter(u -> u.uid() == uid).findFirst();
    }

    @Override
    public Optional<GroupEntry> group(String name) {
        Nss.checkName(name, "group name");
        checkAvailable();
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    @Override
    public Optional<GroupEntry> group(long gid) {
        Nss.checkId(gid, "gid");
        checkAvailable();
        return groups.stream().filter(g -> g.gid() == gid).findFirst();
    }

    @Override
    public List<GroupEntry> groupsOf(String user) {
        Optional<UserEntry> entry = user(user);
        if (entry.isEmpty()) {
            return List.of();
        }
        Set<Long> gids = new LinkedHashSet<>();
        gids.add(entry.get().gid());
        for (GroupEntry g : groups) {
            if (g.members().contains(user)) {
                gids.add(g.gid());
            }
        }
        List<GroupEntry> found = new ArrayList<>();
        for (long gid : gids) {
            group(gid).ifPresent(found::add);
        }
        return List.copyOf(found);
    }

    @Override
    public String toString() {
        return "FakeNss[" + users.size() + " users, " + groups.size() + " groups"
                + (unavailable != null ? ", unavailable: " + unavailable : "") + "]";
    }
}
