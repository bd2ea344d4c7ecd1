package org.pamjava.runtime;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
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
 * {@link Nss} over the C library's own lookups (getpwnam_r(3), getpwuid_r(3), getgrnam_r(3),
 * getgrgid_r(3), getgrouplist(3)) through {@code java.lang.foreign}, so every source
 * {@code /etc/nsswitch.conf} names answers (files, LDAP, sssd, systemd's userdb). The same code
 * runs in an application's JVM and in the resident service: neither needs a native of its own.
 *
 * <p>Kept off the path of a PAM call that does not use it: the class is loaded at a module's first
 * {@link org.pamjava.PamHandle#nss()} (the downcalls are method handles, whose first use in a
 * fresh JVM bootstraps {@code java.lang.invoke}: CallPathClassesTest exempts this class, entered
 * only from {@link LibPamHandle}), and the AOT training does not run it.
 *
 * <p>Thread-safe: each lookup has its own buffers in its own arena, and the *_r functions keep no
 * state between calls. Buffers grow on ERANGE up to {@link #MAX_BUFFER} bytes; an entry larger
 * than that is an error, not a truncated entry. The layouts are those of Linux on 64-bit
 * (LP64: {@code size_t} is 8 bytes, {@code uid_t} and {@code gid_t} 4), checked when the class loads.
 */
public final class NativeNss implements Nss {
    /** The first buffer for one entry: what sysconf(_SC_GETPW_R_SIZE_MAX) gives on glibc. */
    static final int FIRST_BUFFER = 1024;
    /** The largest buffer one entry may need (a group with tens of thousands of members fits). */
    static final int MAX_BUFFER = 1 << 20;
    /** The first getgrouplist(3) buffer, in group ids; it grows to the count the call reports. */
    static final int FIRST_GROUP_COUNT = 64;
    /** NGROUPS_MAX of Linux: a user in more groups than this cannot log in anyway. */
    static final int MAX_GROUP_COUNT = 65536;

    // Linux's errno values (asm-generic/errno-base.h, errno.h).
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int ESRCH = 3;
    private static final int EBADF = 9;
    private static final int ERANGE = 34;

    /** struct passwd of glibc and musl on LP64 (pwd.h). */
    private static final StructLayout PASSWD = MemoryLayout.structLayout(
            ADDRESS.withName("pw_name"), ADDRESS.withName("pw_passwd"),
            JAVA_INT.withName("pw_uid"), JAVA_INT.withName("pw_gid"),
            ADDRESS.withName("pw_gecos"), ADDRESS.withName("pw_dir"), ADDRESS.withName("pw_shell"));
    /** struct group on LP64 (grp.h): gr_mem after 4 bytes of padding. */
    private static final StructLayout GROUP = MemoryLayout.structLayout(
            ADDRESS.withName("gr_name"), ADDRESS.withName("gr_passwd"),
            JAVA_INT.withName("gr_gid"), MemoryLayout.paddingLayout(4), ADDRESS.withName("gr_mem"));

    private static final long PW_NAME = offset(PASSWD, "pw_name");
    private static final long PW_UID = offset(PASSWD, "pw_uid");
    private static final long PW_GID = offset(PASSWD, "pw_gid");
    private static final long PW_GECOS = offset(PASSWD, "pw_gecos");
    private static final long PW_DIR = offset(PASSWD, "pw_dir");
    private static final long PW_SHELL = offset(PASSWD, "pw_shell");
    private static final long GR_NAME = offset(GROUP, "gr_name");
    private static final long GR_GID = offset(GROUP, "gr_gid");
    private static final long GR_MEM = offset(GROUP, "gr_mem");

    // int getpwnam_r(const char *, struct passwd *, char *buf, size_t, struct passwd **result), getgrnam_r alike
    private static final FunctionDescriptor BY_NAME = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    // int getpwuid_r(uid_t, struct passwd *, char *buf, size_t, struct passwd **result), getgrgid_r alike
    private static final FunctionDescriptor BY_ID = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);

    // Each made at its first use: the first downcall handle of a JVM costs most (java.lang.invoke
    // and the linker start), and each new shape tens of milliseconds more in a cold JVM.
    private static final Downcall GETPWNAM = new Downcall("getpwnam_r", BY_NAME);
    private static final Downcall GETPWUID = new Downcall("getpwuid_r", BY_ID);
    private static final Downcall GETGRNAM = new Downcall("getgrnam_r", BY_NAME);
    private static final Downcall GETGRGID = new Downcall("getgrgid_r", BY_ID);
    // int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
    private static final Downcall GETGROUPLIST = new Downcall("getgrouplist",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    // char *strerror(int): only when a lookup fails
    private static final Downcall STRERROR = new Downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private static final NativeNss INSTANCE = new NativeNss();

    private NativeNss() {}

    /** The process's one instance. */
    public static Nss instance() {
        return INSTANCE;
    }

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /**
     * The method handle of one C function, made at its first use. When it cannot be made (no
     * native access: {@code --illegal-native-access=deny}; a C library without the function; not
     * LP64) every lookup that needs it fails closed with the reason, and the JVM stays up.
     */
    private static final class Downcall {
        private final String function;
        private final FunctionDescriptor descriptor;
        private volatile MethodHandle handle;
        private RuntimeException failure;

        Downcall(String function, FunctionDescriptor descriptor) {
            this.function = function;
            this.descriptor = descriptor;
        }

        MethodHandle get() {
            MethodHandle h = handle;
            return h != null ? h : make();
        }

        private synchronized MethodHandle make() {
            if (handle == null && failure == null) {
                try {
                    Linker linker = Linker.nativeLinker();
                    if (linker.canonicalLayouts().get("size_t").byteSize() != JAVA_LONG.byteSize() || ADDRESS.byteSize() != 8) {
                        throw new IllegalStateException("NSS lookups need a 64-bit C library (LP64)");
                    }
                    Optional<MemorySegment> symbol = linker.defaultLookup().find(function);
                    if (symbol.isEmpty()) {
                        throw new IllegalStateException("the C library has no " + function);
                    }
                    handle = linker.downcallHandle(symbol.get(), descriptor);
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            if (handle == null) {
                throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, "NSS lookups are not available in this JVM ("
                        + function + "): " + failure.getMessage());
            }
            return handle;
        }
    }

    @Override
    public Optional<UserEntry> user(String name) {
        Nss.checkName(name, "user name");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = cString(arena, name, "user name");
            MemorySegment pwd = lookup(arena, PASSWD, "getpwnam_r(" + name + ")", new Call() {
                @Override
                public int invoke(MemorySegment entry, MemorySegment buf, long size, MemorySegment result) throws Throwable {
                    return (int) GETPWNAM.get().invokeExact(cName, entry, buf, size, result);
                }
            });
            return pwd == null ? Optional.empty() : Optional.of(userEntry(pwd, "getpwnam_r(" + name + ")"));
        }
    }

    @Override
    public Optional<UserEntry> user(long uid) {
        Nss.checkId(uid, "uid");
        int cUid = (int) uid;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pwd = lookup(arena, PASSWD, "getpwuid_r(" + uid + ")", new Call() {
                @Override
                public int invoke(MemorySegment entry, MemorySegment buf, long size, MemorySegment result) throws Throwable {
                    return (int) GETPWUID.get().invokeExact(cUid, entry, buf, size, result);
                }
            });
            return pwd == null ? Optional.empty() : Optional.of(userEntry(pwd, "getpwuid_r(" + uid + ")"));
        }
    }

    @Override
    public Optional<GroupEntry> group(String name) {
        Nss.checkName(name, "group name");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = cString(arena, name, "group name");
            MemorySegment grp = lookup(arena, GROUP, "getgrnam_r(" + name + ")", new Call() {
                @Override
                public int invoke(MemorySegment entry, MemorySegment buf, long size, MemorySegment result) throws Throwable {
                    return (int) GETGRNAM.get().invokeExact(cName, entry, buf, size, result);
                }
            });
            return grp == null ? Optional.empty() : Optional.of(groupEntry(grp, "getgrnam_r(" + name + ")"));
        }
    }

    @Override
    public Optional<GroupEntry> group(long gid) {
        Nss.checkId(gid, "gid");
        int cGid = (int) gid;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment grp = lookup(arena, GROUP, "getgrgid_r(" + gid + ")", new Call() {
                @Override
                public int invoke(MemorySegment entry, MemorySegment buf, long size, MemorySegment result) throws Throwable {
                    return (int) GETGRGID.get().invokeExact(cGid, entry, buf, size, result);
                }
            });
            return grp == null ? Optional.empty() : Optional.of(groupEntry(grp, "getgrgid_r(" + gid + ")"));
        }
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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = cString(arena, user, "user name");
            MemorySegment count = arena.allocate(JAVA_INT);
            int capacity = FIRST_GROUP_COUNT;
            while (true) {
                MemorySegment ids = arena.allocate(JAVA_INT, capacity);
                count.set(JAVA_INT, 0, capacity);
                int rc;
                try {
                    rc = (int) GETGROUPLIST.get().invokeExact(cName, (int) primary, ids, count);
                } catch (Throwable t) {
                    throw rethrown(t);
                }
                int reported = count.get(JAVA_INT, 0);
                if (rc >= 0) {
                    Set<Long> gids = new LinkedHashSet<>();
                    gids.add(primary);
                    for (int i = 0; i < Math.min(rc, capacity); i++) {
                        gids.add(Integer.toUnsignedLong(ids.getAtIndex(JAVA_INT, i)));
                    }
                    return gids;
                }
                if (capacity >= MAX_GROUP_COUNT) {
                    throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, "getgrouplist(" + user
                            + "): the user is in more than " + MAX_GROUP_COUNT + " groups");
                }
                capacity = (int) Math.min(MAX_GROUP_COUNT, Math.max((long) reported, 2L * capacity));
            }
        }
    }

    /** One *_r call: fills {@code entry} using {@code buf}, stores the entry's address or NULL in {@code result}. */
    private interface Call {
        int invoke(MemorySegment entry, MemorySegment buf, long size, MemorySegment result) throws Throwable;
    }

    /**
     * Runs a *_r lookup with a buffer that doubles on ERANGE, up to {@link #MAX_BUFFER}. Returns
     * the filled entry, or null when there is none: a 0 return with a NULL result, and the error
     * numbers getpwnam_r(3)'s NOTES list as meaning "not found" for some sources (ENOENT, ESRCH,
     * EBADF, EPERM). Any other error number fails the lookup.
     */
    private MemorySegment lookup(Arena arena, StructLayout layout, String what, Call call) {
        MemorySegment entry = arena.allocate(layout);
        MemorySegment result = arena.allocate(ADDRESS);
        for (long size = FIRST_BUFFER; ; size *= 2) {
            MemorySegment buf = arena.allocate(size);
            int rc;
            try {
                rc = call.invoke(entry, buf, size, result);
            } catch (Throwable t) {
                throw rethrown(t);
            }
            if (rc == ERANGE) {
                if (size >= MAX_BUFFER) {
                    throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": the entry needs more than "
                            + MAX_BUFFER + " bytes (" + strerror(rc) + ")");
                }
                continue;
            }
            if (rc == 0) {
                return result.get(ADDRESS, 0).equals(MemorySegment.NULL) ? null : entry;
            }
            if (rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) {
                return null;
            }
            throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": " + strerror(rc));
        }
    }

    private static RuntimeException rethrown(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private static UserEntry userEntry(MemorySegment pwd, String what) {
        return new UserEntry(name(pwd.get(ADDRESS, PW_NAME), what, "pw_name"),
                Integer.toUnsignedLong(pwd.get(JAVA_INT, PW_UID)), Integer.toUnsignedLong(pwd.get(JAVA_INT, PW_GID)),
                freeText(pwd.get(ADDRESS, PW_GECOS), what), text(pwd.get(ADDRESS, PW_DIR), what, "pw_dir"),
                text(pwd.get(ADDRESS, PW_SHELL), what, "pw_shell"));
    }

    private static GroupEntry groupEntry(MemorySegment grp, String what) {
        List<String> members = new ArrayList<>();
        MemorySegment mem = grp.get(ADDRESS, GR_MEM);
        if (!mem.equals(MemorySegment.NULL)) {
            // A NULL-terminated array inside the entry's buffer: it cannot be longer than that.
            MemorySegment array = mem.reinterpret(MAX_BUFFER);
            for (long i = 0; ; i++) {
                if ((i + 1) * ADDRESS.byteSize() > MAX_BUFFER) {
                    throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": gr_mem has no end");
                }
                MemorySegment member = array.getAtIndex(ADDRESS, i);
                if (member.equals(MemorySegment.NULL)) {
                    break;
                }
                members.add(name(member, what, "a member in gr_mem"));
            }
        }
        return new GroupEntry(name(grp.get(ADDRESS, GR_NAME), what, "gr_name"),
                Integer.toUnsignedLong(grp.get(JAVA_INT, GR_GID)), members);
    }

    /** A name field: required, and strictly UTF-8 (a replaced byte could make two names equal). */
    private static String name(MemorySegment s, String what, String field) {
        String name = text(s, what, field);
        if (name.isEmpty()) {
            throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": an empty " + field);
        }
        return name;
    }

    /** A field that must be UTF-8; a NULL pointer is the empty string. */
    private static String text(MemorySegment s, String what, String field) {
        byte[] bytes = bytes(s, what, field);
        try {
            return Utf8.decode(bytes, field);
        } catch (PamException e) {
            throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": " + field + " is not valid UTF-8");
        }
    }

    /** The gecos field: free text, so bytes that are not UTF-8 become U+FFFD. */
    private static String freeText(MemorySegment s, String what) {
        return new String(bytes(s, what, "pw_gecos"), StandardCharsets.UTF_8);
    }

    /** The bytes of a C string before its NUL, read at most {@link #MAX_BUFFER} bytes far. */
    private static byte[] bytes(MemorySegment s, String what, String field) {
        if (s.equals(MemorySegment.NULL)) {
            return new byte[0];
        }
        MemorySegment text = s.reinterpret(MAX_BUFFER);
        for (long i = 0; i < MAX_BUFFER; i++) {
            if (text.get(JAVA_BYTE, i) == 0) {
                return text.asSlice(0, i).toArray(JAVA_BYTE);
            }
        }
        throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": " + field + " has no end");
    }

    /** {@code text} as a NUL-terminated UTF-8 string in {@code arena} (no NUL inside: checked before). */
    private static MemorySegment cString(Arena arena, String text, String what) {
        byte[] bytes = Utf8.encode(text, what);
        MemorySegment s = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        s.set(JAVA_BYTE, bytes.length, (byte) 0);
        return s;
    }

    /** strerror(3) of {@code errnum}, in the process's locale (undecodable bytes replaced: it is a message). */
    private static String strerror(int errnum) {
        try {
            MemorySegment message = (MemorySegment) STRERROR.get().invokeExact(errnum);
            return new String(bytes(message, "strerror", "message"), StandardCharsets.UTF_8);
        } catch (Throwable t) {
            return "error " + errnum;
        }
    }
}
