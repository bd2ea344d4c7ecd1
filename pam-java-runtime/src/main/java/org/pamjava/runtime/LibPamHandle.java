package org.pamjava.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pamjava.Message;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.Response;
import org.pamjava.XAuthData;

/**
 * {@link PamHandle} over a real {@code pam_handle_t*}: through pam-java-host's JNI natives when the module
 * runs in the application, over the resident service's socket when it runs there ({@link PamCalls}).
 */
public final class LibPamHandle implements PamHandle {
    private final long pamh;
    private final String libpamVersion;
    private final PamCalls libpam;
    private final HandleEnvironment env = new HandleEnvironment(this);
    private final SecretStrings secrets;
    private final HandleData.Member data;

    /** A handle whose Java data is its own (shared with no other instance). */
    public LibPamHandle(long pamh, String libpamVersion, PamCalls libpam) {
        this(pamh, libpamVersion, libpam, HandleData.Member.alone());
    }

    /**
     * A module instance's handle over {@code pamh}.
     *
     * @param data this instance's share of the handle's Java data (see {@link HandleDataRegistry})
     */
    public LibPamHandle(long pamh, String libpamVersion, PamCalls libpam, HandleData.Member data) {
        this.pamh = pamh;
        this.libpamVersion = libpamVersion;
        this.libpam = libpam;
        this.secrets = new SecretStrings(libpam);
        this.data = data;
    }

    /** This instance's share of the handle's Java data, which it leaves when it ends. */
    public HandleData.Member data() {
        return data;
    }

    /** Throws for a failing libpam call; {@code what} names it for the message. */
    private void check(int rc, String what) {
        if (rc == PAM_SUCCESS) {
            return;
        }
        if (rc == PamCalls.NOT_IN_CALL) {
            throw new IllegalStateException("PamHandle used outside the PAM call it belongs to"
                    + " (from another thread, or after the operation returned)");
        }
        throw new PamException(rc, what + ": " + strerror(rc));
    }

    private byte[] rawItem(int item, String name) {
        byte[][] out = new byte[1][];
        check(libpam.getItem(pamh, item, out), "pam_get_item(" + name + ")");
        return out[0];
    }

    private String item(int item, String name) {
        byte[] raw = rawItem(item, name);
        return raw == null ? null : Utf8.decode(raw, name);
    }

    private String secretItem(int item, String name) {
        byte[] raw = rawItem(item, name);
        return raw == null ? null : secrets.track(secretString(raw, name));
    }

    /** Logs a record of this handle's call (pam_syslog(3) in the application): see {@link CallOutput}. */
    void log(int priority, byte[] record) {
        libpam.log(pamh, priority, record);
    }

    /**
     * pam_syslog(3) of this handle's call, as prints are ({@link #log}); LOG_DEBUG only on the
     * thread of a call whose rule has {@code debug} ({@link ModuleInvoker}).
     */
    @Override
    public void syslog(int level, String message) {
        if (!org.pamjava.Syslog.isLevel(level)) {
            throw new IllegalArgumentException("not a syslog level (0 to 7): " + level);
        }
        Objects.requireNonNull(message, "message");
        if (level != org.pamjava.Syslog.LOG_DEBUG || ModuleInvoker.thisThreadsCallHasDebug(this)) {
            log(level, SyslogRecords.of(message));
        }
    }

    /** At pam_end: overwrite the secret Strings this handle gave the module. */
    void wipeSecrets() {
        secrets.wipeAll();
    }

    /** Decodes a secret into a String, wiping the bytes and every intermediate copy. */
    private static String secretString(byte[] raw, String what) {
        char[] chars = Utf8.decodeSecret(raw, what);
        try {
            return new String(chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private char[] secretChars(int item, String name) {
        byte[] raw = rawItem(item, name);
        return raw == null ? null : Utf8.decodeSecret(raw, name);
    }

    private void setItem(int item, String name, String value) {
        byte[] bytes = value == null ? null : Utf8.encode(value, name);
        try {
            check(libpam.setItem(pamh, item, bytes), "pam_set_item(" + name + ")");
        } finally {
            if (bytes != null) {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    @Override public String getUser() { return item(PAM_USER, "PAM_USER"); }
    @Override public void setUser(String v) { setItem(PAM_USER, "PAM_USER", v); }
    @Override public String getAuthtok() { return secretItem(PAM_AUTHTOK, "PAM_AUTHTOK"); }
    @Override public void setAuthtok(String v) { setItem(PAM_AUTHTOK, "PAM_AUTHTOK", v); }
    @Override public char[] getAuthtokChars() { return secretChars(PAM_AUTHTOK, "PAM_AUTHTOK"); }
    @Override public String getOldauthtok() { return secretItem(PAM_OLDAUTHTOK, "PAM_OLDAUTHTOK"); }
    @Override public void setOldauthtok(String v) { setItem(PAM_OLDAUTHTOK, "PAM_OLDAUTHTOK", v); }
    @Override public char[] getOldauthtokChars() { return secretChars(PAM_OLDAUTHTOK, "PAM_OLDAUTHTOK"); }
    @Override public String getRhost() { return item(PAM_RHOST, "PAM_RHOST"); }
    @Override public void setRhost(String v) { setItem(PAM_RHOST, "PAM_RHOST", v); }
    @Override public String getRuser() { return item(PAM_RUSER, "PAM_RUSER"); }
    @Override public void setRuser(String v) { setItem(PAM_RUSER, "PAM_RUSER", v); }
    @Override public String getService() { return item(PAM_SERVICE, "PAM_SERVICE"); }
    @Override
    public void setService(String v) {
        if (v == null) {
            // libpam lower-cases the new service name in place: NULL would crash the host.
            throw new PamException(PAM_BAD_ITEM, "pam_set_item(PAM_SERVICE): the service cannot be unset");
        }
        setItem(PAM_SERVICE, "PAM_SERVICE", v);
    }
    @Override public String getTty() { return item(PAM_TTY, "PAM_TTY"); }
    @Override public void setTty(String v) { setItem(PAM_TTY, "PAM_TTY", v); }
    @Override public String getUserPrompt() { return item(PAM_USER_PROMPT, "PAM_USER_PROMPT"); }
    @Override public void setUserPrompt(String v) { setItem(PAM_USER_PROMPT, "PAM_USER_PROMPT", v); }
    @Override public String getXdisplay() { return item(PAM_XDISPLAY, "PAM_XDISPLAY"); }
    @Override public void setXdisplay(String v) { setItem(PAM_XDISPLAY, "PAM_XDISPLAY", v); }
    @Override public String getAuthtokType() { return item(PAM_AUTHTOK_TYPE, "PAM_AUTHTOK_TYPE"); }
    @Override public void setAuthtokType(String v) { setItem(PAM_AUTHTOK_TYPE, "PAM_AUTHTOK_TYPE", v); }

    @Override
    public XAuthData getXAuthData() {
        byte[][] out = new byte[2][];
        check(libpam.getXAuthData(pamh, out), "pam_get_item(PAM_XAUTHDATA)");
        return out[0] == null ? null : new XAuthData(Utf8.decode(out[0], "PAM_XAUTHDATA name"), out[1]);
    }

    @Override
    public void setXAuthData(XAuthData x) {
        byte[] name = x == null ? null : Utf8.encode(x.name(), "XAuthData name");
        byte[] data = x == null ? null : x.data();
        check(libpam.setXAuthData(pamh, name, data), "pam_set_item(PAM_XAUTHDATA)");
    }

    @Override
    public Map<String, String> environment() {
        return env;
    }

    String getenv(String key) {
        byte[][] out = new byte[1][];
        check(libpam.getEnv(pamh, Utf8.encode(key, "PAM environment name"), out), "pam_getenv");
        return out[0] == null ? null : Utf8.decode(out[0], "PAM environment variable " + key);
    }

    void putenv(String nameValue) {
        check(libpam.putEnv(pamh, Utf8.encode(nameValue, "PAM environment entry")), "pam_putenv");
    }

    List<String> getenvlist() {
        byte[][] list = libpam.getEnvList(pamh);
        if (list == null) {
            // null means "not in the call" or out of memory; a cheap item read tells which.
            check(libpam.getItem(pamh, PAM_SERVICE, new byte[1][]), "pam_getenvlist");
            throw new PamException(PAM_BUF_ERR, "pam_getenvlist: " + strerror(PAM_BUF_ERR));
        }
        List<String> entries = new ArrayList<>(list.length);
        for (byte[] entry : list) {
            entries.add(Utf8.decode(entry, "PAM environment entry"));
        }
        return entries;
    }

    @Override
    public Response conversation(Message message) {
        return conversation(List.of(message)).get(0);
    }

    @Override
    public List<Response> conversation(List<Message> messages) {
        int n = messages.size();
        if (n < 1 || n > PAM_MAX_NUM_MSG) {
            throw new IllegalArgumentException("a conversation takes 1 to " + PAM_MAX_NUM_MSG + " messages, not " + n);
        }
        int[] styles = new int[n];
        byte[][] texts = new byte[n][];
        for (int i = 0; i < n; i++) {
            Message m = Objects.requireNonNull(messages.get(i), "message");
            styles[i] = m.msgStyle();
            texts[i] = Utf8.encode(m.msg(), "conversation message");
        }
        byte[][] replies = new byte[n][];
        int[] retCodes = new int[n];
        try {
            check(libpam.conversation(pamh, styles, texts, replies, retCodes), "conversation");
            List<Response> responses = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String resp = null;
                if (replies[i] != null) {
                    // Replies typed without echo are secrets, wiped at pam_end; others (a user
                    // name, a yes) are left alone, so a module may keep them.
                    resp = secretString(replies[i], "conversation reply");
                    if (styles[i] == PAM_PROMPT_ECHO_OFF) {
                        secrets.track(resp);
                    }
                }
                responses.add(new Response(resp, retCodes[i]));
            }
            return List.copyOf(responses);
        } catch (PamException e) {
            throw e.pamCode() == PAM_BAD_ITEM
                    ? new PamException(PAM_CONV_ERR, "the application's reply is not valid UTF-8") : e;
        } finally {
            for (byte[] reply : replies) {
                if (reply != null) {
                    Arrays.fill(reply, (byte) 0);
                }
            }
        }
    }

    @Override
    public void failDelay(int microseconds) {
        if (microseconds < 0) {
            throw new IllegalArgumentException("fail delay must not be negative: " + microseconds);
        }
        check(libpam.failDelay(pamh, microseconds), "pam_fail_delay");
    }

    @Override
    public String getUser(String prompt) {
        byte[][] out = new byte[1][];
        byte[] p = prompt == null ? null : Utf8.encode(prompt, "prompt");
        check(libpam.getUser(pamh, p, out), "pam_get_user");
        return out[0] == null ? null : Utf8.decode(out[0], "PAM_USER");
    }

    @Override
    public String strerror(int errnum) {
        byte[] text = libpam.strerror(pamh, errnum);
        return text == null ? "Unknown PAM error " + errnum : new String(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public String libpamVersion() {
        return libpamVersion;
    }

    @Override
    public long pamh() {
        return pamh;
    }

    @Override
    public boolean jvmInitialized() {
        return libpam.jvmInitialized();
    }

    /** The C library's NSS lookups where the module runs, the same object for every handle of the process ({@link PamCalls#nss()}). */
    @Override
    public org.pamjava.Nss nss() {
        return libpam.nss();
    }

    @Override
    public String toString() {
        return "PamHandle[0x" + Long.toHexString(pamh) + "]";
    }

    @Override
    public String getAuthtok(String prompt) {
        char[] token = getAuthtokChars(prompt);
        try {
            return secrets.track(new String(token));
        } finally {
            Arrays.fill(token, '\0');
        }
    }

    @Override public char[] getAuthtokChars(String prompt) { return authtok(PamCalls.AUTHTOK, prompt, "pam_get_authtok"); }
    @Override public char[] getOldauthtokChars(String prompt) {
        return authtok(PamCalls.OLDAUTHTOK, prompt, "pam_get_authtok(PAM_OLDAUTHTOK)");
    }
    @Override public char[] getAuthtokNoverifyChars(String prompt) {
        return authtok(PamCalls.AUTHTOK_NOVERIFY, prompt, "pam_get_authtok_noverify");
    }
    @Override public char[] verifyAuthtokChars(String prompt) {
        return authtok(PamCalls.AUTHTOK_VERIFY, prompt, "pam_get_authtok_verify");
    }

    /** libpam's own pam_get_authtok family (it knows the rule's arguments and the operation); the token as chars. */
    private char[] authtok(int which, String prompt, String what) {
        byte[][] out = new byte[1][];
        byte[] p = prompt == null ? null : Utf8.encode(prompt, "prompt");
        check(libpam.getAuthtok(pamh, which, p, out), what);
        if (out[0] == null) { // libpam said PAM_SUCCESS without a token: none to give
            throw new PamException(PAM_AUTHTOK_ERR, what + ": " + strerror(PAM_AUTHTOK_ERR));
        }
        return Utf8.decodeSecret(out[0], what);
    }

    /** pam_prompt(3) is a conversation of one message: so is this; {@code text} is shown as it is. */
    @Override
    public String prompt(int style, String text) {
        return conversation(new Message(style, Objects.requireNonNull(text, "text"))).resp();
    }

    @Override public void info(String text) { prompt(PAM_TEXT_INFO, text); }
    @Override public void error(String text) { prompt(PAM_ERROR_MSG, text); }
    @Override public <T> T getData(String name, Class<T> type) { return data.data().get(name, type); }
    @Override
    public <T> void setData(String name, T value, org.pamjava.DataCleanup<? super T> cleanup) {
        data.data().set(name, value, cleanup, new HandleLog(this));
    }

    /** A replaced value's failing cleanup is logged as the call's own lines are. A class, not a lambda: see pom.xml. */
    private record HandleLog(LibPamHandle handle) implements Diagnostics {
        @Override
        public void log(int priority, String message) {
            handle.log(priority, SyslogRecords.of(message));
        }
    }
}
