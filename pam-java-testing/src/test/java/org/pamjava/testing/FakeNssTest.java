package org.pamjava.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pamjava.GroupEntry;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.UserEntry;

/** FakeNss's answers, and the directory a TestStack gives its modules. */
class FakeNssTest implements PamConstants {
    private static final FakeNss DIRECTORY = FakeNss.builder()
            .user("alice", 1000, 1000)
            .user(new UserEntry("bob", 1001, 100, "Bob Builder", "/srv/bob", "/bin/bash"))
            .user("toor", 0, 0)
            .user("orphan", 1002, 4242)
            .group("alice", 1000)
            .group("users", 100, "alice")
            .group("staff", 50, "bob", "alice")
            .group("wheel", 10, "alice")
            .group("wheel-again", 10, "alice")
            .build();

    @Test
    void usersAndGroupsByNameAndId() {
        assertEquals(Optional.of(new UserEntry("alice", 1000, 1000, "", "/home/alice", "/bin/sh")), DIRECTORY.user("alice"));
        assertEquals("Bob Builder", DIRECTORY.user(1001).orElseThrow().gecos());
        assertEquals(Optional.of(new GroupEntry("staff", 50, List.of("bob", "alice"))), DIRECTORY.group("staff"));
        assertEquals("wheel", DIRECTORY.group(10).orElseThrow().name(), "the first group with the id, as the C library");
        assertEquals("toor", DIRECTORY.user(0).orElseThrow().name());
    }

    @Test
    void missingIsEmpty() {
        assertEquals(Optional.empty(), DIRECTORY.user("carol"));
        assertEquals(Optional.empty(), DIRECTORY.user(4000));
        assertEquals(Optional.empty(), DIRECTORY.group("carol"));
        assertEquals(Optional.empty(), DIRECTORY.group(4000));
        assertEquals(List.of(), DIRECTORY.groupsOf("carol"));
        assertFalse(DIRECTORY.isMember("carol", "staff"));
        assertEquals(Optional.empty(), FakeNss.empty().user("root"));
    }

    /** As getgrouplist(3): the primary group first, then the groups listing the user, each gid once. */
    @Test
    void groupsOfGivesThePrimaryGroupFirstAndEachGroupIdOnce() {
        assertEquals(List.of("alice", "users", "staff", "wheel"),
                DIRECTORY.groupsOf("alice").stream().map(GroupEntry::name).toList());
        assertEquals(List.of("users", "staff"), DIRECTORY.groupsOf("bob").stream().map(GroupEntry::name).toList(),
                "bob's primary group (users) though he is not listed in it");
        assertEquals(List.of(), DIRECTORY.groupsOf("orphan"), "a gid with no group entry is left out");
        assertTrue(DIRECTORY.isMember("bob", "users"));
        assertTrue(DIRECTORY.isMember("alice", "wheel"));
        assertFalse(DIRECTORY.isMember("bob", "wheel"));
    }

    @Test
    void badNamesAndIdsAreRefusedAsByTheRealLookups() {
        assertThrows(IllegalArgumentException.class, () -> DIRECTORY.user(""));
        assertThrows(IllegalArgumentException.class, () -> DIRECTORY.user("alice\0"));
        assertThrows(IllegalArgumentException.class, () -> DIRECTORY.group("\0"));
        assertThrows(IllegalArgumentException.class, () -> DIRECTORY.groupsOf(""));
        assertThrows(IllegalArgumentException.class, () -> DIRECTORY.user(-1));
        assertThrows(IllegalArgumentException.class, () -> DIRECTORY.group(1L << 32));
        assertThrows(IllegalArgumentException.class, () -> FakeNss.builder().user("alice", 1, 1).user("alice", 2, 2));
        assertThrows(IllegalArgumentException.class, () -> FakeNss.builder().group("g", 1).group("g", 2));
        assertThrows(IllegalArgumentException.class, () -> FakeNss.builder().group("g", 1, "bad\0member"));
        assertThrows(IllegalArgumentException.class, () -> FakeNss.builder().user("", 1, 1));
    }

    @Test
    void anUnavailableDirectoryFailsEveryLookup() {
        FakeNss down = FakeNss.builder().user("alice", 1000, 1000).unavailable("ldap://ldap.example: connection refused").build();
        for (Runnable lookup : List.<Runnable>of(() -> down.user("alice"), () -> down.user(1000), () -> down.group("staff"),
                () -> down.group(50), () -> down.groupsOf("alice"), () -> down.isMember("alice", "staff"))) {
            PamException e = assertThrows(PamException.class, lookup::run);
            assertEquals(PAM_AUTHINFO_UNAVAIL, e.pamCode());
            assertEquals("ldap://ldap.example: connection refused", e.getMessage());
        }
    }

    /** Lets in members of its group= argument; a directory that is down is PAM_AUTHINFO_UNAVAIL. */
    public static final class GroupModule implements PamModule {
        @Override
        public int authenticate(PamHandle pamh, int flags, List<String> args) {
            String group = args.get(1).substring("group=".length());
            try {
                if (!pamh.nss().isMember(pamh.getUser(null), group)) {
                    pamh.conversation(new Message(PAM_ERROR_MSG, "not in " + group));
                    return PAM_AUTH_ERR;
                }
                return PAM_SUCCESS;
            } catch (PamException e) {
                return e.pamCode();
            }
        }
    }

    private static TestStack stack() {
        return TestStack.service("login", "auth required pam_java.so Group.java group=staff\n")
                .module("Group.java", GroupModule::new);
    }

    @Test
    void theStacksDirectoryReachesItsModules() {
        TestStack stack = stack().nss(DIRECTORY);
        try (TestTransaction pam = stack.start("bob")) {
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
        }
        try (TestTransaction pam = stack.start("carol")) {
            OperationResult r = pam.authenticate();
            assertEquals(PAM_AUTH_ERR, r.pamCode(), r.describe());
            assertEquals(List.of(new Message(PAM_ERROR_MSG, "not in staff")), r.messages());
        }
        // Kept by the stack's other with-methods, in either order.
        try (TestTransaction pam = stack().nss(DIRECTORY).file("other", "auth required pam_deny.so\n").start("alice")) {
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
        }
        try (TestTransaction pam = stack().nss(FakeNss.builder().unavailable("down").build()).start("bob")) {
            assertEquals(PAM_AUTHINFO_UNAVAIL, pam.authenticate().pamCode());
        }
    }

    /** No directory given: no answer from the machine's users by accident, but a clear error. */
    @Test
    void aStackGivenNoDirectoryHasNone() {
        try (TestTransaction pam = stack().start("root")) {
            OperationResult r = pam.authenticate();
            assertEquals(PAM_SERVICE_ERR, r.pamCode(), r.describe());
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, r.failure());
            assertTrue(e.getMessage().contains("TestStack.nss("), e.getMessage());
        }
    }

    @Test
    void theSystemDirectoryIsThisMachines() {
        TestStack stack = TestStack.service("login", "auth required pam_java.so Group.java group=root\n")
                .module("Group.java", GroupModule::new).systemNss();
        try (TestTransaction pam = stack.start("root")) {
            assertEquals(PAM_SUCCESS, pam.authenticate().pamCode());
        }
        try (TestTransaction pam = stack.start("pam-java-no-such-user")) {
            assertEquals(PAM_AUTH_ERR, pam.authenticate().pamCode());
        }
    }
}
