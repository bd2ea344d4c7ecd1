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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pamjava.Nss;
import org.pamjava.PamConstants;
import org.pamjava.PamException;

/**
 * The resident service's {@link NssSource}: the C library's own lookups (getpwnam_r(3),
 * getpwuid_r(3), getgrnam_r(3), getgrgid_r(3), getgrouplist(3)) through {@code java.lang.foreign},
 * so every source {@code /etc/nsswitch.conf} names answers (files, LDAP, sssd, systemd's userdb).
 * Also the test kit's and {@code pam-java simulate}'s machine NSS. In process (pam_java.so's JVM,
 * or a Java application's own) the lookups are pam_java.so's JNI natives instead (pam-java-host's
 * {@code HostNss}): the first downcall handle of a cold JVM costs some 0.2 to 0.3 s (the
 * linker spins its LambdaForms), which a service pays once but every login would pay again.
 * Both are {@link NssLookups} over their source: this class only calls and copies bytes.
 *
 * <p>Not on the in-process call path: no class of pam_java.so's jars names it
 * (CallPathClassesTest), and the AOT training does not run it.
 *
 * <p>Thread-safe: each attempt has its own buffers in its own arena, and the *_r functions keep
 * no state between calls. The layouts are those of Linux on 64-bit (LP64: {@code size_t} is 8
 * bytes, {@code uid_t} and {@code gid_t} 4), checked at the first downcall.
 */
public final class NativeNss implements NssSource {
    // Bounds for reading what the C library points at (a C string, gr_mem): the entry's buffer.
    private static final long MAX_BUFFER = NssLookups.MAX_BUFFER;

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

    private static final Nss INSTANCE = new NssLookups(new NativeNss(), "java.lang.foreign");

    private NativeNss() {}

    /** The process's one instance: {@link NssLookups} over this source. */
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
    public int getpwnam(byte[] name, int bufferSize, byte[][] fields, int[] ids) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = cString(arena, name);
            return passwd(arena, bufferSize, fields, ids, new Call() {
                @Override
                public int invoke(MemorySegment entry, MemorySegment buf, long size, MemorySegment result) throws Throwable {
                    return (int) GETPWNAM.get().invokeExact(cName, entry, buf, size, result);
                }
            });
        }
    }

    @Override
    public int getpwuid(int uid, int bufferSize, byte[][] fields, int[] ids) {
        try (Arena arena = Arena.ofConfined()) {
            return passwd(arena, bufferSize, fields, ids, new Call() {
                @Override
                public int invoke(MemorySegment entry, MemorySegment buf, long size, MemorySegment result) throws Throwable {
                    return (int) GETPWUID.get().invokeExact(uid, entry, buf, size, result);
                }
            });
        }
    }

    @Override
    public int getgrnam(byte[] name, int bufferSize, byte[][] fields, int[] ids, byte[][][] members) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = cString(arena, name);
            return group(arena, bufferSize, fields, ids, members, new Call() {
                @Override
                public int invoke(MemorySegment entry, MemorySegment buf, long size, MemorySegment result) throws Throwable {
                    return (int) GETGRNAM.get().invokeExact(cName, entry, buf, size, result);
                }
            });
        }
    }

    @Override
    public int getgrgid(int gid, int bufferSize, byte[][] fields, int[] ids, byte[][][] members) {
        try (Arena arena = Arena.ofConfined()) {
            return group(arena, bufferSize, fields, ids, members, new Call() {
                @Override
                public int invoke(MemorySegment entry, MemorySegment buf, long size, MemorySegment result) throws Throwable {
                    return (int) GETGRGID.get().invokeExact(gid, entry, buf, size, result);
                }
            });
        }
    }

    @Override
    public int getgrouplist(byte[] user, int primary, int[] groups, int[] count) {
        if (groups.length < 1 || count.length < 1) {
            return BAD_ARGUMENT;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = cString(arena, user);
            MemorySegment n = arena.allocate(JAVA_INT);
            MemorySegment ids = arena.allocate(JAVA_INT, groups.length);
            n.set(JAVA_INT, 0, groups.length);
            int rc;
            try {
                rc = (int) GETGROUPLIST.get().invokeExact(cName, primary, ids, n);
            } catch (Throwable t) {
                throw rethrown(t);
            }
            count[0] = n.get(JAVA_INT, 0);
            if (rc >= 0) {
                MemorySegment.copy(ids, JAVA_INT, 0, groups, 0, Math.min(rc, groups.length));
            }
            return rc;
        }
    }

    @Override
    public byte[] strerror(int errnum) {
        try {
            MemorySegment message = (MemorySegment) STRERROR.get().invokeExact(errnum);
            return bytes(message, "strerror", "message");
        } catch (Throwable t) {
            return null;
        }
    }

    /** One *_r call: fills {@code entry} using {@code buf}, stores the entry's address or NULL in {@code result}. */
    private interface Call {
        int invoke(MemorySegment entry, MemorySegment buf, long size, MemorySegment result) throws Throwable;
    }

    /** One attempt with a buffer of {@code size} bytes: the call's return, or NO_ENTRY for a NULL result. */
    private static int attempt(Arena arena, MemorySegment entry, int size, Call call) {
        MemorySegment buf = arena.allocate(size);
        MemorySegment result = arena.allocate(ADDRESS);
        int rc;
        try {
            rc = call.invoke(entry, buf, size, result);
        } catch (Throwable t) {
            throw rethrown(t);
        }
        if (rc == 0 && result.get(ADDRESS, 0).equals(MemorySegment.NULL)) {
            return NO_ENTRY;
        }
        return rc;
    }

    private static int passwd(Arena arena, int size, byte[][] fields, int[] ids, Call call) {
        if (size < 1 || fields.length < PASSWD_FIELDS || ids.length < 2) {
            return BAD_ARGUMENT;
        }
        MemorySegment pwd = arena.allocate(PASSWD);
        int rc = attempt(arena, pwd, size, call);
        if (rc == 0) {
            String what = "getpw*_r";
            fields[0] = bytes(pwd.get(ADDRESS, PW_NAME), what, "pw_name");
            fields[1] = bytes(pwd.get(ADDRESS, PW_GECOS), what, "pw_gecos");
            fields[2] = bytes(pwd.get(ADDRESS, PW_DIR), what, "pw_dir");
            fields[3] = bytes(pwd.get(ADDRESS, PW_SHELL), what, "pw_shell");
            ids[0] = pwd.get(JAVA_INT, PW_UID);
            ids[1] = pwd.get(JAVA_INT, PW_GID);
        }
        return rc;
    }

    private static int group(Arena arena, int size, byte[][] fields, int[] ids, byte[][][] members, Call call) {
        if (size < 1 || fields.length < 1 || ids.length < 1 || members.length < 1) {
            return BAD_ARGUMENT;
        }
        MemorySegment grp = arena.allocate(GROUP);
        int rc = attempt(arena, grp, size, call);
        if (rc == 0) {
            String what = "getgr*_r";
            List<byte[]> names = new ArrayList<>();
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
                    names.add(bytes(member, what, "a member in gr_mem"));
                }
            }
            fields[0] = bytes(grp.get(ADDRESS, GR_NAME), what, "gr_name");
            ids[0] = grp.get(JAVA_INT, GR_GID);
            members[0] = names.toArray(new byte[0][]);
        }
        return rc;
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

    /** The bytes of a C string before its NUL (null for NULL), read at most {@link #MAX_BUFFER} bytes far. */
    private static byte[] bytes(MemorySegment s, String what, String field) {
        if (s.equals(MemorySegment.NULL)) {
            return null;
        }
        MemorySegment text = s.reinterpret(MAX_BUFFER);
        for (long i = 0; i < MAX_BUFFER; i++) {
            if (text.get(JAVA_BYTE, i) == 0) {
                return text.asSlice(0, i).toArray(JAVA_BYTE);
            }
        }
        throw new PamException(PamConstants.PAM_AUTHINFO_UNAVAIL, what + ": " + field + " has no end");
    }

    /** {@code bytes} as a NUL-terminated string in {@code arena} (no NUL inside: NssLookups checked the name). */
    private static MemorySegment cString(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        s.set(JAVA_BYTE, bytes.length, (byte) 0);
        return s;
    }
}
