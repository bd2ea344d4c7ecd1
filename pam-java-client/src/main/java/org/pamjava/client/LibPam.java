package org.pamjava.client;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The application side of libpam ({@code libpam.so.0}), one downcall handle per function.
 * Each handle takes the C arguments in order; pointers are {@link MemorySegment}s.
 */
final class LibPam {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup PAM = SymbolLookup.libraryLookup("libpam.so.0", Arena.global());

    /** The layout of {@code struct pam_conv}: the function, then {@code appdata_ptr}. */
    static final long PAM_CONV_SIZE = 2 * ADDRESS.byteSize();
    /** {@code struct pam_message}: {@code int msg_style} then {@code const char *msg}. */
    static final long PAM_MESSAGE_MSG_OFFSET = 8;
    /** {@code struct pam_response}: {@code char *resp} then {@code int resp_retcode}, 16 bytes. */
    static final long PAM_RESPONSE_SIZE = 16;
    static final long PAM_RESPONSE_RETCODE_OFFSET = 8;
    /** {@code struct pam_xauth_data}: {@code int namelen; char *name; int datalen; char *data;}. */
    static final long PAM_XAUTH_DATA_SIZE = 32;

    /** pam_start(3): {@code int pam_start(service, user, const struct pam_conv *, pam_handle_t **)}. */
    static final MethodHandle PAM_START = function("pam_start", ADDRESS, ADDRESS, ADDRESS);
    /**
     * pam_start_confdir(3), Linux-PAM 1.4 and later: pam_start with a configuration directory.
     * Empty on an older libpam, which then cannot take a directory.
     */
    static final Optional<MethodHandle> PAM_START_CONFDIR = PAM.find("pam_start_confdir")
            .map(f -> LINKER.downcallHandle(f, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS)));
    /** pam_end(3): {@code int pam_end(pam_handle_t *, int pam_status)}. */
    static final MethodHandle PAM_END = function("pam_end", JAVA_INT);
    /** pam_authenticate(3). */
    static final MethodHandle PAM_AUTHENTICATE = function("pam_authenticate", JAVA_INT);
    /** pam_setcred(3). */
    static final MethodHandle PAM_SETCRED = function("pam_setcred", JAVA_INT);
    /** pam_acct_mgmt(3). */
    static final MethodHandle PAM_ACCT_MGMT = function("pam_acct_mgmt", JAVA_INT);
    /** pam_chauthtok(3). */
    static final MethodHandle PAM_CHAUTHTOK = function("pam_chauthtok", JAVA_INT);
    /** pam_open_session(3). */
    static final MethodHandle PAM_OPEN_SESSION = function("pam_open_session", JAVA_INT);
    /** pam_close_session(3). */
    static final MethodHandle PAM_CLOSE_SESSION = function("pam_close_session", JAVA_INT);
    /** pam_get_item(3): {@code int pam_get_item(const pam_handle_t *, int item_type, const void **item)}. */
    static final MethodHandle PAM_GET_ITEM = function("pam_get_item", JAVA_INT, ADDRESS);
    /** pam_set_item(3): {@code int pam_set_item(pam_handle_t *, int item_type, const void *item)}. */
    static final MethodHandle PAM_SET_ITEM = function("pam_set_item", JAVA_INT, ADDRESS);
    /** pam_getenv(3): {@code const char *pam_getenv(pam_handle_t *, const char *name)}; NULL if unset. */
    static final MethodHandle PAM_GETENV = LINKER.downcallHandle(symbol("pam_getenv"),
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    /** pam_putenv(3): {@code int pam_putenv(pam_handle_t *, const char *name_value)}. */
    static final MethodHandle PAM_PUTENV = function("pam_putenv", ADDRESS);
    /**
     * pam_getenvlist(3): {@code char **pam_getenvlist(pam_handle_t *)}, a NULL-terminated array the
     * caller frees, strings and array.
     */
    static final MethodHandle PAM_GETENVLIST = LINKER.downcallHandle(symbol("pam_getenvlist"),
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    /** pam_strerror(3): {@code const char *pam_strerror(pam_handle_t *, int errnum)}. */
    static final MethodHandle PAM_STRERROR = LINKER.downcallHandle(symbol("pam_strerror"),
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));

    private LibPam() {}

    /** A function {@code int name(pam_handle_t *, ...)}. */
    private static MethodHandle function(String name, MemoryLayout... rest) {
        MemoryLayout[] args = new MemoryLayout[rest.length + 1];
        args[0] = ADDRESS;
        System.arraycopy(rest, 0, args, 1, rest.length);
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(JAVA_INT, args));
    }

    private static MemorySegment symbol(String name) {
        return PAM.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libpam.so.0 has no " + name));
    }

    /** A C string returned by libpam (never null) as Java text; invalid UTF-8 is replaced. */
    static String string(MemorySegment cString) {
        return cString.reinterpret(Integer.MAX_VALUE).getString(0);
    }
}
