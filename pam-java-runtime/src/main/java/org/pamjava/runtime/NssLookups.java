package org.pamjava.runtime;

import java.nio.charset.StandardCharsets;
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
 * {@link Nss} over an {@link NssSource}: the one place that says what the C library's answers
 * mean, whichever back end calls it (pam_java.so's JNI natives in process, {@code java.lang.foreign}
 * in the resident service). Names are checked ({@link Nss#checkName}) before any C function sees
 * them; a buffer starts at {@link #FIRST_BUFFER} bytes and doubles on ERANGE up to
 * {@link #MAX_BUFFER}, past which the lookup fails rather than return a cut entry; getgrouplist(3)
 * is retried with the count it reports up to {@link #MAX_GROUP_COUNT}; only a NULL result and the
 * "not found" numbers of getpwnam_r(3)'s NOTES are empty, any other error is
 * {@code PAM_AUTHINFO_UNAVAIL} with strerror(3)'s text; names, home and shell are strict UTF-8,
 * the gecos field alone replaces bad bytes with U+FFFD.
 *
 * <p>On pam_java's in-process call path (loaded at a module's first {@code nss()}): no lambdas or
 * method handles here (CallPathClassesTest). Thread-safe: it keeps no state, each call has its own
 * arrays.
 */
public final class NssLookups implements Nss {
    /** The first buffer for one entry: what sysconf(_SC_GETPW_R_SIZE_MAX) gives on glibc. */
    public static final int FIRST_BUFFER = 1024;
    /** The largest buffer one entry may need (a group with tens of thousands of members fits). */
    public static final int MAX_BUFFER = 1 << 20;
    /** The first getgrouplist(3) buffer, in group ids; it grows to the count the call reports. */
    public static final int FIRST_GROUP_COUNT = 64;
    /** NGROUPS_MAX of Linux: a user in more groups than this cannot log in anyway. */
    public static final int MAX_GROUP_COUNT = 65536;

    // Linux's errno values (asm-generic/errno-base.h, errno.h).
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EBADF = 9;
    static final int ERANGE = 34;

    // Which lookup lookup() runs (a switch, not a lambda: see the class comment).
    private static final int PWNAM = 0;
    private static final int PWUID = 1;
    private static final int GRNAM = 2;
    private static final int GRGID = 3;

    private final NssSource source;
    private final String description;

    /**
     * @param source the back end
     * @param description how it reaches the C library, for {@link #toString()} (a diagnostic the
     *     integration tests read to see which back end a mode uses)
     */
    public NssLookups(NssSource source, String description) {
        this.source = source;
        this.description = description;
    }

    @Override
    public Optional<UserEntry> user(String name) {
        Nss.checkName(name, "user name");
        String what = "getpwnam_r(" + name + ")";
        byte[][] fields = new byte[NssSource.PASSWD_FIELDS][];
        int[] ids = new int[2];
        if (!lookup(PWNAM, Utf8.encode(name, "user name"), 0, what, fields, ids, null)) {
            return Optional.empty();
        }
        return Optional.of(userEntry(fields, ids, what));
    }

    @Override
    public Optional<UserEntry> user(long uid) {
        Nss.checkId(uid, "uid");
        String what = "getpwuid_r(" + uid + ")";
        byte[][] fields = new byte[NssSource.PASSWD_FIELDS][];
        int[] ids = new int[2];
        if (!lookup(PWUID, null, (int) uid, what, fields, ids, null)) {
            return Optional.empty();
        }
        return Optional.of(userEntry(fields, ids, what));
    }

    @Override
    public Optional<GroupEntry> group(String name) {
        Nss.checkName(name, "group name");
        String what = "getgrnam_r(" + name + ")";
        byte[][] fields = new byte[1][];
        int[] ids = new int[1];
        byte[][][] members = new byte[1][][];
        if (!lookup(GRNAM, Utf8.encode(name, "group name"), 0, what, fields, ids, members)) {
            return Optional.empty();
        }
        return Optional.of(groupEntry(fields, ids, members, what));
    }

    @Override
    public Optional<GroupEntry> group(long gid) {
        Nss.checkId(gid, "gid");
        String what = "getgrgid_r(" + gid + ")";
        byte[][] fields = new byte[1][];
        int[] ids = new int[1];
        byte[][][] members = new byte[1][][];
        if (!lookup(GRGID, null, (int) gid, what, fields, ids, members)) {
            return Optional.empty();
        }
        return Optional.of(groupEntry(fields, ids, members, what));
    }

    @Override
    public List<GroupEntry> groupsOf(String user) {
        Optional<UserEntry> entry = user(user);
        if (entry.isEmpty()) {
            return List.of();
        }
        List<GroupEntry> groups = new ArrayList<>();
        for (long gid : groupIds(user, entry.get().gid())) {
            Optional<GroupEntry> group = group(gid);
            if (group.isPresent()) {
                groups.add(group.get());
            }
        }
        return List.copyOf(groups);
    }

    /**
     * getgrouplist(3): the primary group first (the C library puts {@code primary} there), then
     * the supplementary ones, each once. Retried with the count the call reports while the buffer
     * was too small (the count may grow between two calls).
     */
    Set<Long> groupIds(String user, long primary) {
        Nss.checkName(user, "user name");
        Nss.checkId(primary, "gid");
        String what = "getgrouplist(" + user + ")";
        byte[] name = Utf8.encode(user, "user name");
        int[] count = new int[1];
        int capacity = FIRST_GROUP_COUNT;
        while (true) {
            int[] ids = new int[capacity];
            int rc;
            try {
                rc = source.getgrouplist(name, (int) primary, ids, count);
            } catch (OutOfMemoryError e) {
                throw outOfMemory(what);
            }
            if (rc >= 0) {
                Set<Long> gids = new LinkedHashSet<>();
                gids.add(primary);
                for (int i = 0; i < Math.min(rc, capacity); i++) {
                    gids.add(Integer.toUnsignedLong(ids[i]));
                }
                return gids;
            }
            if (rc == NssSource.OUT_OF_MEMORY) {
                throw outOfMemory(what);
            }
            if (rc != -1) {
                throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": " + failure(rc));
            }
            if (capacity >= MAX_GROUP_COUNT) {
                throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what
                        + ": the user is in more than " + MAX_GROUP_COUNT + " groups");
            }
            capacity = (int) Math.min(MAX_GROUP_COUNT, Math.max((long) count[0], 2L * capacity));
        }
    }

    /**
     * Runs one *_r lookup, its buffer doubling on ERANGE up to {@link #MAX_BUFFER}. True when the
     * out-arrays hold an entry; false when there is none: {@link NssSource#NO_ENTRY}, and the error
     * numbers getpwnam_r(3)'s NOTES list as meaning "not found" for some sources (ENOENT, ESRCH,
     * EBADF, EPERM). Any other error number fails the lookup.
     */
    private boolean lookup(int kind, byte[] name, int id, String what, byte[][] fields, int[] ids, byte[][][] members) {
        for (int size = FIRST_BUFFER; ; size *= 2) {
            int rc;
            try {
                rc = call(kind, name, id, size, fields, ids, members);
            } catch (OutOfMemoryError e) {
                throw outOfMemory(what);
            }
            if (rc == ERANGE) {
                if (size >= MAX_BUFFER) {
                    throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": the entry needs more than "
                            + MAX_BUFFER + " bytes (" + strerror(rc) + ")");
                }
                continue;
            }
            if (rc == 0) {
                return true;
            }
            if (rc == NssSource.NO_ENTRY || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) {
                return false;
            }
            if (rc == NssSource.OUT_OF_MEMORY) {
                throw outOfMemory(what);
            }
            throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": " + failure(rc));
        }
    }

    private int call(int kind, byte[] name, int id, int size, byte[][] fields, int[] ids, byte[][][] members) {
        switch (kind) {
            case PWNAM:
                return source.getpwnam(name, size, fields, ids);
            case PWUID:
                return source.getpwuid(id, size, fields, ids);
            case GRNAM:
                return source.getgrnam(name, size, fields, ids, members);
            case GRGID:
                return source.getgrgid(id, size, fields, ids, members);
            default:
                throw new IllegalArgumentException("no lookup " + kind);
        }
    }

    /** What a failing return means: strerror's text of an error number, or the back end's own code. */
    private String failure(int rc) {
        if (rc == NssSource.BAD_ARGUMENT) {
            return "the lookup's arguments were refused";
        }
        return rc > 0 ? strerror(rc) : "error " + rc;
    }

    private static PamException outOfMemory(String what) {
        return new PamException(PamConstants.PAM_BUF_ERR, what + ": out of memory");
    }

    private static UserEntry userEntry(byte[][] fields, int[] ids, String what) {
        return new UserEntry(name(fields[0], what, "pw_name"), Integer.toUnsignedLong(ids[0]),
                Integer.toUnsignedLong(ids[1]), freeText(fields[1]), text(fields[2], what, "pw_dir"),
                text(fields[3], what, "pw_shell"));
    }

    private static GroupEntry groupEntry(byte[][] fields, int[] ids, byte[][][] members, String what) {
        List<String> names = new ArrayList<>();
        if (members[0] != null) {
            for (byte[] member : members[0]) {
                names.add(name(member, what, "a member in gr_mem"));
            }
        }
        return new GroupEntry(name(fields[0], what, "gr_name"), Integer.toUnsignedLong(ids[0]), names);
    }

    /** A name field: required, and strictly UTF-8 (a replaced byte could make two names equal). */
    private static String name(byte[] bytes, String what, String field) {
        String name = text(bytes, what, field);
        if (name.isEmpty()) {
            throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": an empty " + field);
        }
        return name;
    }

    /** A field that must be UTF-8; a NULL pointer (null) is the empty string. */
    private static String text(byte[] bytes, String what, String field) {
        if (bytes == null) {
            return "";
        }
        try {
            return Utf8.decode(bytes, field);
        } catch (PamException e) {
            throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": " + field + " is not valid UTF-8");
        }
    }

    /** The gecos field: free text, so bytes that are not UTF-8 become U+FFFD. */
    private static String freeText(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }

    /** strerror(3) of {@code errnum} (undecodable bytes replaced: it is a message). */
    private String strerror(int errnum) {
        try {
            byte[] message = source.strerror(errnum);
            if (message != null) {
                return new String(message, StandardCharsets.UTF_8);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            // the number below is the message then
        }
        return "error " + errnum;
    }

    /** Which back end this is ({@code description}): the integration tests' proof of the path a mode takes. */
    @Override
    public String toString() {
        return "Nss[" + description + "]";
    }
}
