package org.pamjava.client;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.pamjava.Conversation;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.XAuthData;

/**
 * One PAM transaction of an application, over the real libpam: pam_start(3) when made,
 * pam_end(3) when closed.
 *
 * <pre>{@code
 * try (PamTransaction pam = PamTransaction.start("login", "alice", terminal)) {
 *     pam.setItem(PamItem.TTY, "/dev/pts/3");
 *     int rc = pam.authenticate(0);
 *     if (rc == PamConstants.PAM_SUCCESS) {
 *         rc = pam.acctMgmt(0);   // always: a correct password does not make an account usable
 *     }
 * }
 * }</pre>
 *
 * <p>The six operations return the PAM code, as libpam does: a failed login is a result, not an
 * exception. Item and environment methods throw {@link PamException} when libpam refuses.
 *
 * <p>A transaction is used by one thread at a time (its methods are synchronized); any number of
 * threads may each run their own transaction at once. The conversation is called on the thread
 * that called the operation.
 */
public final class PamTransaction implements AutoCloseable {

    private final String service;
    private final long conversationId;
    private MemorySegment pamh;
    private int lastStatus = PamConstants.PAM_SUCCESS;

    private PamTransaction(String service, long conversationId, MemorySegment pamh) {
        this.service = service;
        this.conversationId = conversationId;
        this.pamh = pamh;
    }

    /**
     * pam_start(3): a transaction for {@code service} (the file of that name in {@code /etc/pam.d},
     * else {@code other}).
     *
     * @param user the user, or {@code null} to let the modules ask for one
     * @throws PamException when libpam cannot start, for example {@code PAM_ABORT} without any
     *     usable configuration
     */
    public static PamTransaction start(String service, String user, Conversation conversation) {
        return start(service, user, conversation, null);
    }

    /**
     * pam_start_confdir(3) (Linux-PAM 1.4 and later): like {@link #start(String, String, Conversation)},
     * with the configuration read from {@code confdir} instead of {@code /etc/pam.d}; a {@code null}
     * directory means the system's.
     *
     * @throws UnsupportedOperationException with a directory, on a libpam older than 1.4
     */
    public static PamTransaction start(String service, String user, Conversation conversation, Path confdir) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(conversation, "conversation");
        long id = ConversationUpcall.register(conversation);
        try (Arena arena = Arena.ofConfined()) {
            // libpam copies struct pam_conv at pam_start, so it may live in this call's arena.
            MemorySegment conv = arena.allocate(LibPam.PAM_CONV_SIZE, ADDRESS.byteSize());
            conv.set(ADDRESS, 0, ConversationUpcall.FUNCTION);
            conv.set(ADDRESS, ADDRESS.byteSize(), MemorySegment.ofAddress(id));
            MemorySegment handleOut = arena.allocate(ADDRESS);
            int rc;
            if (confdir == null) {
                rc = (int) LibPam.PAM_START.invokeExact(cString(arena, service), cString(arena, user), conv, handleOut);
            } else {
                MethodHandle startConfdir = LibPam.PAM_START_CONFDIR.orElseThrow(() -> new UnsupportedOperationException(
                        "this libpam has no pam_start_confdir (Linux-PAM 1.4 or later needed)"));
                rc = (int) startConfdir.invokeExact(cString(arena, service), cString(arena, user), conv,
                        cString(arena, confdir.toString()), handleOut);
            }
            if (rc != PamConstants.PAM_SUCCESS) {
                throw new PamException(rc, "pam_start(" + service + "): " + strerror(MemorySegment.NULL, rc));
            }
            MemorySegment pamh = handleOut.get(ADDRESS, 0);
            return new PamTransaction(service, id, pamh); // registered until pam_end
        } catch (RuntimeException | Error e) {
            ConversationUpcall.unregister(id);
            throw e;
        } catch (Throwable t) {
            ConversationUpcall.unregister(id);
            throw new IllegalStateException("pam_start failed", t);
        }
    }

    /** The service this transaction was started for. */
    public String service() {
        return service;
    }

    /** pam_authenticate(3): is the user who they claim to be? Flags: {@code PAM_SILENT}, {@code PAM_DISALLOW_NULL_AUTHTOK}. */
    public int authenticate(int flags) {
        return operation(LibPam.PAM_AUTHENTICATE, flags);
    }

    /** pam_setcred(3): establish, delete, reinitialise or refresh credentials; flags {@code PAM_ESTABLISH_CRED} etc. */
    public int setcred(int flags) {
        return operation(LibPam.PAM_SETCRED, flags);
    }

    /** pam_acct_mgmt(3): may the account be used now (expiry, access rules)? Call it after every successful authenticate. */
    public int acctMgmt(int flags) {
        return operation(LibPam.PAM_ACCT_MGMT, flags);
    }

    /** pam_chauthtok(3): change the authentication token; flag {@code PAM_CHANGE_EXPIRED_AUTHTOK} limits it to expired ones. */
    public int chauthtok(int flags) {
        return operation(LibPam.PAM_CHAUTHTOK, flags);
    }

    /** pam_open_session(3). */
    public int openSession(int flags) {
        return operation(LibPam.PAM_OPEN_SESSION, flags);
    }

    /** pam_close_session(3). */
    public int closeSession(int flags) {
        return operation(LibPam.PAM_CLOSE_SESSION, flags);
    }

    private synchronized int operation(MethodHandle function, int flags) {
        MemorySegment handle = handle();
        try {
            lastStatus = (int) function.invokeExact(handle, flags);
            return lastStatus;
        } catch (Throwable t) {
            throw new IllegalStateException("libpam call failed", t);
        }
    }

    /** pam_get_item(3): the item's value, or {@code null} when it is unset. */
    public synchronized String getItem(PamItem item) {
        MemorySegment value = getItemPointer(item.itemType());
        return value.equals(MemorySegment.NULL) ? null : LibPam.string(value);
    }

    /** pam_set_item(3); {@code null} unsets the item (except {@link PamItem#SERVICE}, which libpam keeps). */
    public synchronized void setItem(PamItem item, String value) {
        try (Arena arena = Arena.ofConfined()) {
            check("pam_set_item(" + item + ")", (int) LibPam.PAM_SET_ITEM.invokeExact(handle(), item.itemType(), cString(arena, value)));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("pam_set_item failed", t);
        }
    }

    /** The {@code PAM_XAUTHDATA} item, or {@code null} when it is unset. */
    public synchronized XAuthData getXAuthData() {
        MemorySegment value = getItemPointer(PamConstants.PAM_XAUTHDATA);
        if (value.equals(MemorySegment.NULL)) {
            return null;
        }
        MemorySegment struct = value.reinterpret(LibPam.PAM_XAUTH_DATA_SIZE);
        MemorySegment name = struct.get(ADDRESS, 8);
        if (name.equals(MemorySegment.NULL)) {
            return null;
        }
        int dataLength = struct.get(JAVA_INT, 16);
        MemorySegment data = struct.get(ADDRESS, 24);
        byte[] bytes = dataLength <= 0 || data.equals(MemorySegment.NULL) ? new byte[0]
                : data.reinterpret(dataLength).toArray(JAVA_BYTE);
        return new XAuthData(LibPam.string(name), bytes);
    }

    /** Sets the {@code PAM_XAUTHDATA} item (libpam copies it); {@code null} clears it. */
    public synchronized void setXAuthData(XAuthData xauth) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment struct = arena.allocate(LibPam.PAM_XAUTH_DATA_SIZE, 8);
            if (xauth != null) {
                MemorySegment name = cString(arena, xauth.name());
                byte[] data = xauth.data();
                struct.set(JAVA_INT, 0, (int) name.byteSize() - 1);
                struct.set(ADDRESS, 8, name);
                struct.set(JAVA_INT, 16, data.length);
                struct.set(ADDRESS, 24, data.length == 0 ? MemorySegment.NULL : arena.allocateFrom(JAVA_BYTE, data));
            }
            int rc = (int) LibPam.PAM_SET_ITEM.invokeExact(handle(), PamConstants.PAM_XAUTHDATA, struct);
            // libpam (1.5.2) clears the item when given an empty structure, then reports PAM_BUF_ERR
            // because it cannot copy the NULL name: for a clear, that is success.
            check("pam_set_item(PAM_XAUTHDATA)", xauth == null && rc == PamConstants.PAM_BUF_ERR ? PamConstants.PAM_SUCCESS : rc);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("pam_set_item failed", t);
        }
    }

    private MemorySegment getItemPointer(int itemType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("pam_get_item(" + itemType + ")", (int) LibPam.PAM_GET_ITEM.invokeExact(handle(), itemType, out));
            return out.get(ADDRESS, 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("pam_get_item failed", t);
        }
    }

    /** pam_getenv(3): the PAM environment's value of {@code name}, or {@code null}. */
    public synchronized String getenv(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = (MemorySegment) LibPam.PAM_GETENV.invokeExact(handle(), cString(arena, name));
            return value.equals(MemorySegment.NULL) ? null : LibPam.string(value);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("pam_getenv failed", t);
        }
    }

    /**
     * pam_putenv(3): sets {@code name} to {@code value} in the PAM environment, or removes it when
     * {@code value} is {@code null} (removing an unset name does nothing).
     *
     * @throws IllegalArgumentException if {@code name} is empty or contains {@code '='}
     */
    public synchronized void putenv(String name, String value) {
        if (name.isEmpty() || name.indexOf('=') >= 0) {
            throw new IllegalArgumentException("a PAM environment name is non-empty and has no '=': " + name);
        }
        if (value == null && getenv(name) == null) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            String entry = value == null ? name : name + "=" + value;
            check("pam_putenv(" + name + ")", (int) LibPam.PAM_PUTENV.invokeExact(handle(), cString(arena, entry)));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("pam_putenv failed", t);
        }
    }

    /** pam_getenvlist(3): a copy of the whole PAM environment, in libpam's order. */
    public synchronized Map<String, String> environment() {
        MemorySegment list;
        try {
            list = (MemorySegment) LibPam.PAM_GETENVLIST.invokeExact(handle());
        } catch (Throwable t) {
            throw new IllegalStateException("pam_getenvlist failed", t);
        }
        if (list.equals(MemorySegment.NULL)) {
            throw new PamException(PamConstants.PAM_BUF_ERR, "pam_getenvlist: " + strerror(PamConstants.PAM_BUF_ERR));
        }
        Map<String, String> env = new LinkedHashMap<>();
        MemorySegment entries = list.reinterpret(Long.MAX_VALUE);
        for (long i = 0; ; i++) {
            MemorySegment entry = entries.getAtIndex(ADDRESS, i);
            if (entry.equals(MemorySegment.NULL)) {
                break;
            }
            String text = LibPam.string(entry);
            int eq = text.indexOf('=');
            env.put(eq < 0 ? text : text.substring(0, eq), eq < 0 ? "" : text.substring(eq + 1));
            LibC.free(entry);
        }
        LibC.free(list);
        return env;
    }

    /** pam_strerror(3): libpam's text for a PAM code, for example "Authentication failure". */
    public String strerror(int code) {
        return strerror(MemorySegment.NULL, code);
    }

    /**
     * pam_end(3): ends the transaction (the modules clean up, seeing {@code status}).
     *
     * @return pam_end's code
     * @throws IllegalStateException if the transaction has ended already
     */
    public synchronized int end(int status) {
        MemorySegment handle = handle();
        pamh = null;
        try {
            return (int) LibPam.PAM_END.invokeExact(handle, status);
        } catch (Throwable t) {
            throw new IllegalStateException("pam_end failed", t);
        } finally {
            ConversationUpcall.unregister(conversationId);
        }
    }

    /** Whether {@link #end} has run. */
    public synchronized boolean isEnded() {
        return pamh == null;
    }

    /** {@link #end} with the last operation's code, unless the transaction has ended already. */
    @Override
    public synchronized void close() {
        if (pamh != null) {
            end(lastStatus);
        }
    }

    @Override
    public String toString() {
        return "PamTransaction[" + service + (isEnded() ? ", ended" : "") + "]";
    }

    private MemorySegment handle() {
        if (pamh == null) {
            throw new IllegalStateException("the PAM transaction has ended");
        }
        return pamh;
    }

    private void check(String what, int rc) {
        if (rc != PamConstants.PAM_SUCCESS) {
            throw new PamException(rc, what + ": " + strerror(rc));
        }
    }

    private static String strerror(MemorySegment handle, int code) {
        try {
            return LibPam.string((MemorySegment) LibPam.PAM_STRERROR.invokeExact(handle, code));
        } catch (Throwable t) {
            return "PAM error " + code;
        }
    }

    /** A NUL-terminated UTF-8 copy of {@code text} in {@code arena}; NULL for {@code null}. */
    private static MemorySegment cString(Arena arena, String text) {
        if (text == null) {
            return MemorySegment.NULL;
        }
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a C string cannot contain NUL");
        }
        return arena.allocateFrom(text);
    }
}
