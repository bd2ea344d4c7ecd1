package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.pamjava.GroupEntry;
import org.pamjava.Nss;
import org.pamjava.UserEntry;

/**
 * The C library's NSS lookups against this machine's own root user and group (uid 0 and gid 0,
 * named root on every Linux system this runs on). What the private system's users, groups and
 * sources give is pam-java-it's NssTest, through libpam in both modes.
 */
class NativeNssTest {
    private final Nss nss = NativeNss.instance();

    @Test
    void rootIsFoundByNameAndByUid() {
        UserEntry root = nss.user("root").orElseThrow();
        assertEquals("root", root.name());
        assertEquals(0, root.uid());
        assertEquals(0, root.gid());
        assertFalse(root.home().isEmpty(), root.toString());
        assertEquals(Optional.of(root), nss.user(0));
    }

    @Test
    void rootsGroupIsFoundByNameAndByGid() {
        GroupEntry root = nss.group("root").orElseThrow();
        assertEquals(0, root.gid());
        assertEquals(Optional.of(root), nss.group(0));
    }

    @Test
    void rootsGroupsStartWithItsPrimaryGroup() {
        List<GroupEntry> groups = nss.groupsOf("root");
        assertEquals("root", groups.get(0).name(), groups.toString());
        assertTrue(nss.isMember("root", "root"));
        assertEquals(groups.size(), groups.stream().mapToLong(GroupEntry::gid).distinct().count(), "each once: " + groups);
    }

    @Test
    void missingUsersAndGroupsAreEmptyNotErrors() {
        assertEquals(Optional.empty(), nss.user("pam-java-no-such-user"));
        assertEquals(Optional.empty(), nss.group("pam-java-no-such-group"));
        assertEquals(List.of(), nss.groupsOf("pam-java-no-such-user"));
        assertFalse(nss.isMember("pam-java-no-such-user", "root"));
        // 4294967294: (uid_t)-2, which no system gives a user (nobody is 65534).
        assertEquals(Optional.empty(), nss.user(4294967294L));
        assertEquals(Optional.empty(), nss.group(4294967294L));
    }

    @Test
    void badNamesAndIdsAreRefusedBeforeTheCLibrarySeesThem() {
        assertEquals("user name must not contain a NUL character",
                assertThrows(IllegalArgumentException.class, () -> nss.user("root\0evil")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> nss.user(""));
        assertThrows(IllegalArgumentException.class, () -> nss.group("root\0"));
        assertThrows(IllegalArgumentException.class, () -> nss.group(""));
        assertThrows(IllegalArgumentException.class, () -> nss.groupsOf("\0"));
        assertThrows(IllegalArgumentException.class, () -> nss.user("\ud800"));
        assertThrows(IllegalArgumentException.class, () -> nss.user(-1));
        assertThrows(IllegalArgumentException.class, () -> nss.group(1L << 32));
    }

    @Test
    void oneInstancePerProcess() {
        assertSame(NativeNss.instance(), NativeNss.instance());
    }

    /** Many threads at once, each with its own buffers: every answer is root's. */
    @Test
    void lookupsFromManyThreadsAtOnceAgree() throws Exception {
        UserEntry expected = nss.user("root").orElseThrow();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<UserEntry>> calls = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                calls.add(i % 2 == 0 ? () -> nss.user("root").orElseThrow() : () -> nss.user(0).orElseThrow());
            }
            for (Future<UserEntry> f : pool.invokeAll(calls)) {
                assertEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
