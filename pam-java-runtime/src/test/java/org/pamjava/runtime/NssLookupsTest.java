package org.pamjava.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pamjava.GroupEntry;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.UserEntry;

/**
 * What the C library's answers mean, whichever back end gives them (pam_java.so's JNI natives in
 * process, java.lang.foreign in the resident service): a scripted {@link NssSource} stands for
 * the C library. The real back ends are pam-java-it's NssTest (both) and NativeNssTest.
 */
class NssLookupsTest {
    /** A C library that answers as told and records every attempt ("getgrnam_r 2048"). */
    private static class Script implements NssSource {
        final List<String> calls = new ArrayList<>();
        /** The return of each attempt in turn; the last one repeats. */
        int[] returns = {0};
        /** The entry a 0 return gives: passwd fields (name, gecos, dir, shell), or gr_name. */
        byte[][] fields = {bytes("ann"), bytes("Ann"), bytes("/home/ann"), bytes("/bin/sh")};
        int[] ids = {1000, 100};
        byte[][] members = {bytes("ann"), bytes("bob")};
        /** getgrouplist: the groups the user is in, primary first. */
        int[] groups = {100};

        private int next(String call, int size) {
            calls.add(call + " " + size);
            return returns[Math.min(calls.size() - 1, returns.length - 1)];
        }

        private int passwd(int rc, byte[][] out, int[] outIds) {
            if (rc == 0) {
                System.arraycopy(fields, 0, out, 0, PASSWD_FIELDS);
                outIds[0] = ids[0];
                outIds[1] = ids[1];
            }
            return rc;
        }

        private int group(int rc, byte[][] out, int[] outIds, byte[][][] outMembers) {
            if (rc == 0) {
                out[0] = fields[0];
                outIds[0] = ids[0];
                outMembers[0] = members;
            }
            return rc;
        }

        @Override public int getpwnam(byte[] name, int size, byte[][] out, int[] outIds) {
            return passwd(next("getpwnam_r(" + new String(name, StandardCharsets.UTF_8) + ")", size), out, outIds);
        }
        @Override public int getpwuid(int uid, int size, byte[][] out, int[] outIds) {
            return passwd(next("getpwuid_r(" + Integer.toUnsignedString(uid) + ")", size), out, outIds);
        }
        @Override public int getgrnam(byte[] name, int size, byte[][] out, int[] outIds, byte[][][] outMembers) {
            return group(next("getgrnam_r(" + new String(name, StandardCharsets.UTF_8) + ")", size), out, outIds, outMembers);
        }
        @Override public int getgrgid(int gid, int size, byte[][] out, int[] outIds, byte[][][] outMembers) {
            return group(next("getgrgid_r(" + Integer.toUnsignedString(gid) + ")", size), out, outIds, outMembers);
        }
        @Override public int getgrouplist(byte[] user, int primary, int[] out, int[] count) {
            calls.add("getgrouplist " + out.length);
            count[0] = groups.length;
            if (groups.length > out.length) {
                return -1;
            }
            System.arraycopy(groups, 0, out, 0, groups.length);
            return groups.length;
        }
        @Override public byte[] strerror(int errnum) {
            return bytes("strerror " + errnum);
        }
    }

    private final Script c = new Script();
    private final NssLookups nss = new NssLookups(c, "script");

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static PamException failure(org.junit.jupiter.api.function.Executable lookup) {
        return assertThrows(PamException.class, lookup);
    }

    @Test
    void anEntryIsDecodedWithUnsignedIds() {
        c.ids = new int[] {-2, -1};
        assertEquals(Optional.of(new UserEntry("ann", 4294967294L, 4294967295L, "Ann", "/home/ann", "/bin/sh")),
                nss.user("ann"));
        assertEquals(List.of("getpwnam_r(ann) 1024"), c.calls);
        c.fields = new byte[][] {bytes("staff")};
        assertEquals(Optional.of(new GroupEntry("staff", 4294967294L, List.of("ann", "bob"))), nss.group(4294967294L));
        assertEquals("getgrgid_r(4294967294) 1024", c.calls.get(1));
    }

    /** ERANGE: the buffer doubles from 1 KiB; at 1 MiB the lookup fails, never with a cut entry. */
    @Test
    void theBufferDoublesOnErangeUpToOneMebibyte() {
        c.returns = new int[] {NssLookups.ERANGE, NssLookups.ERANGE, 0};
        c.fields = new byte[][] {bytes("big")};
        assertEquals("big", nss.group("big").orElseThrow().name());
        assertEquals(List.of("getgrnam_r(big) 1024", "getgrnam_r(big) 2048", "getgrnam_r(big) 4096"), c.calls);

        c.calls.clear();
        c.returns = new int[] {NssLookups.ERANGE};
        PamException e = failure(() -> nss.group("huge"));
        assertEquals(PamConstants.PAM_AUTHINFO_UNAVAIL, e.pamCode());
        assertEquals("getgrnam_r(huge): the entry needs more than 1048576 bytes (strerror 34)", e.getMessage());
        assertEquals(11, c.calls.size(), c.calls.toString());
        assertEquals("getgrnam_r(huge) 1048576", c.calls.getLast());
    }

    /** A NULL result and getpwnam_r(3)'s "not found" numbers are no entry; any other error fails closed with strerror's text. */
    @Test
    void onlyTheNotFoundAnswersAreEmpty() {
        for (int notFound : new int[] {NssSource.NO_ENTRY, NssLookups.ENOENT, NssLookups.ESRCH, NssLookups.EBADF,
                NssLookups.EPERM}) {
            c.returns = new int[] {notFound};
            assertEquals(Optional.empty(), nss.user("ann"), "return " + notFound);
            assertEquals(Optional.empty(), nss.user(7), "return " + notFound);
            assertEquals(Optional.empty(), nss.group("g"), "return " + notFound);
            assertEquals(Optional.empty(), nss.group(7), "return " + notFound);
            assertEquals(List.of(), nss.groupsOf("ann"), "return " + notFound);
        }
        for (int error : new int[] {4, 5, 12, 24, 110}) {   // EINTR, EIO, ENOMEM, EMFILE, ETIMEDOUT
            c.returns = new int[] {error};
            PamException e = failure(() -> nss.user("ann"));
            assertEquals(PamConstants.PAM_AUTHINFO_UNAVAIL, e.pamCode());
            assertEquals("getpwnam_r(ann): strerror " + error, e.getMessage());
            assertEquals(PamConstants.PAM_AUTHINFO_UNAVAIL, failure(() -> nss.group(5)).pamCode());
            assertEquals(PamConstants.PAM_AUTHINFO_UNAVAIL, failure(() -> nss.isMember("ann", "wheel")).pamCode());
        }
        c.returns = new int[] {NssSource.BAD_ARGUMENT};
        assertEquals("getpwuid_r(7): the lookup's arguments were refused", failure(() -> nss.user(7)).getMessage());
    }

    /** The back end out of memory (a failed NewByteArray in the natives) is PAM_BUF_ERR, not a crash or an empty answer. */
    @Test
    void outOfMemoryInTheBackEndIsABufferError() {
        c.returns = new int[] {NssSource.OUT_OF_MEMORY};
        PamException e = failure(() -> nss.group("g"));
        assertEquals(PamConstants.PAM_BUF_ERR, e.pamCode());
        assertEquals("getgrnam_r(g): out of memory", e.getMessage());
        NssLookups throwing = new NssLookups(new Script() {
            @Override public int getpwuid(int uid, int size, byte[][] out, int[] outIds) {
                throw new OutOfMemoryError("Java heap space");
            }
        }, "oom");
        assertEquals(PamConstants.PAM_BUF_ERR, failure(() -> throwing.user(0)).pamCode());
    }

    /** Names, home and shell strictly UTF-8 (two Latin-1 names must not become one); the gecos replaces bad bytes. */
    @Test
    void namesAreStrictUtf8AndOnlyTheGecosReplacesBadBytes() {
        byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        c.fields = new byte[][] {bytes("ann"), latin1, bytes("/home/ann"), bytes("/bin/sh")};
        assertEquals("caf\ufffd", nss.user("ann").orElseThrow().gecos());
        String[] fieldNames = {"pw_name", null, "pw_dir", "pw_shell"};
        for (int i : new int[] {0, 2, 3}) {
            c.fields = new byte[][] {bytes("ann"), bytes("Ann"), bytes("/home/ann"), bytes("/bin/sh")};
            c.fields[i] = latin1;
            PamException e = failure(() -> nss.user("ann"));
            assertEquals(PamConstants.PAM_AUTHINFO_UNAVAIL, e.pamCode());
            assertEquals("getpwnam_r(ann): " + fieldNames[i] + " is not valid UTF-8", e.getMessage());
        }
        c.fields = new byte[][] {latin1};
        assertEquals("getgrgid_r(5): gr_name is not valid UTF-8", failure(() -> nss.group(5)).getMessage());
        c.fields = new byte[][] {bytes("mixed")};
        c.members = new byte[][] {bytes("ann"), latin1};
        assertEquals("getgrnam_r(mixed): a member in gr_mem is not valid UTF-8", failure(() -> nss.group("mixed")).getMessage());
    }

    /** A NULL field is empty: allowed for gecos, home and shell, an error for a name. */
    @Test
    void nullFieldsAreEmptyAndANameMustNotBe() {
        c.fields = new byte[][] {bytes("ann"), null, null, null};
        assertEquals(new UserEntry("ann", 1000, 100, "", "", ""), nss.user("ann").orElseThrow());
        c.fields = new byte[][] {null, null, null, null};
        assertEquals("getpwnam_r(ann): an empty pw_name", failure(() -> nss.user("ann")).getMessage());
        c.fields = new byte[][] {bytes("g")};
        c.members = null;
        assertEquals(List.of(), nss.group("g").orElseThrow().members());
        c.members = new byte[][] {bytes("")};
        assertEquals("getgrnam_r(g): an empty a member in gr_mem", failure(() -> nss.group("g")).getMessage());
    }

    /** Checked before any C function sees them: a NUL would cut the name, an id past 32 bits would wrap. */
    @Test
    void badNamesAndIdsNeverReachTheBackEnd() {
        assertThrows(IllegalArgumentException.class, () -> nss.user("root\0evil"));
        assertThrows(IllegalArgumentException.class, () -> nss.user(""));
        assertThrows(IllegalArgumentException.class, () -> nss.group("\0"));
        assertThrows(IllegalArgumentException.class, () -> nss.groupsOf(""));
        assertThrows(IllegalArgumentException.class, () -> nss.isMember("a\0b", "wheel"));
        assertThrows(IllegalArgumentException.class, () -> nss.user("\ud800"));
        assertThrows(IllegalArgumentException.class, () -> nss.user(-1));
        assertThrows(IllegalArgumentException.class, () -> nss.user(1L << 32));
        assertThrows(IllegalArgumentException.class, () -> nss.group(-1));
        assertThrows(IllegalArgumentException.class, () -> nss.group(1L << 32));
        assertEquals(List.of(), c.calls);
    }

    /** getgrouplist: retried with the count it reports; the primary group first, each group once, gids without an entry left out. */
    @Test
    void groupsOfRetriesGetgrouplistWithTheCountItReports() {
        int[] many = new int[301];
        for (int i = 0; i < many.length; i++) {
            many[i] = i == 0 ? 100 : 5000 + i;
        }
        many[7] = 100;   // a source that repeats the primary group
        c.groups = many;
        c.fields = new byte[][] {bytes("g")};
        assertEquals(many.length - 1, nss.groupIds("ann", 100).size());
        assertEquals(List.of("getgrouplist 64", "getgrouplist 301"), c.calls);

        c.calls.clear();
        c.groups = new int[] {100, 200, 300};
        Script noGroup200 = new Script() {
            @Override public int getgrgid(int gid, int size, byte[][] out, int[] outIds, byte[][][] outMembers) {
                out[0] = bytes("g" + gid);
                outIds[0] = gid;
                outMembers[0] = new byte[0][];
                return gid == 200 ? NO_ENTRY : 0;
            }
        };
        noGroup200.groups = c.groups;
        NssLookups two = new NssLookups(noGroup200, "script");
        List<GroupEntry> groups = two.groupsOf("ann");
        assertEquals(List.of("g100", "g300"), groups.stream().map(GroupEntry::name).toList());
        assertEquals(true, two.isMember("ann", "g300"));
        assertEquals(false, two.isMember("ann", "g200"));
    }

    @Test
    void moreGroupsThanLinuxAllowsIsAnError() {
        c.groups = new int[NssLookups.MAX_GROUP_COUNT + 1];
        PamException e = failure(() -> nss.groupsOf("ann"));
        assertEquals(PamConstants.PAM_AUTHINFO_UNAVAIL, e.pamCode());
        assertEquals("getgrouplist(ann): the user is in more than 65536 groups", e.getMessage());
        assertEquals("getgrouplist 65536", c.calls.getLast());
    }

    @Test
    void itSaysWhichBackEndItIs() {
        assertEquals("Nss[script]", nss.toString());
    }
}
