package org.pamjava.stack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.pamjava.Conversation;
import org.pamjava.Message;
import org.pamjava.PamConstants;
import org.pamjava.PamException;
import org.pamjava.PamHandle;
import org.pamjava.Response;
import org.pamjava.XAuthData;

/**
 * The {@link PamHandle} the engine gives modules: items, environment and conversation with
 * libpam's rules (pam_item.c, pam_env.c, pam_get_user). Every user of this object is treated as a
 * module, so {@code PAM_AUTHTOK} and {@code PAM_OLDAUTHTOK} are readable and settable.
 */
final class StackHandle implements PamHandle {

    private static final AtomicLong IDS = new AtomicLong(0x1000);

    private final long id = IDS.getAndAdd(0x10);
    private final Conversation conversation;
    private final Runnable onServiceChange;
    private final StackEnvironment env = new StackEnvironment();
    private final List<Integer> failDelays = new ArrayList<>();
    /** What the modules logged through {@link #syslog} and, in the test kit, their loggers and prints. */
    final CallLog log = new CallLog();
    private final StackData data = new StackData(this::cleanupFailed);

    private String service;
    private String user;
    private String tty;
    private String rhost;
    private String ruser;
    private String userPrompt;
    private String xdisplay;
    private String authtokType;
    private char[] authtok;
    private char[] oldauthtok;
    private XAuthData xauthdata;
    /** pam_get_user's sticky failure (former.fail_user); PAM_SUCCESS when none. */
    private int failUser = PAM_SUCCESS;
    /** The prompt of a user-name question the application answered with PAM_CONV_AGAIN. */
    private String pendingUserPrompt;
    /** What {@link #nss()} gives, or null when the stack was given no directory. */
    private org.pamjava.Nss nss;
    /** pam_get_authtok and its siblings, on this handle's items and conversation. */
    private final StackAuthtok authtoks = new StackAuthtok(new StackAuthtok.Items() {
        @Override public char[] token(int item) { return item == PAM_AUTHTOK ? getAuthtokChars() : getOldauthtokChars(); }
        @Override public void setToken(int item, char[] value) { setTokenChars(item, value); }
        @Override public String authtokType() { return authtokType; }
        @Override public void setAuthtokType(String type) { authtokType = type; }
        @Override public String prompt(Message message) { return conversation(message).resp(); }
    });

    StackHandle(String service, String user, Conversation conversation, Runnable onServiceChange) {
        this.service = service;
        this.user = user;
        this.conversation = conversation;
        this.onServiceChange = onServiceChange;
    }

    @Override public String getUser() { return user; }
    @Override public void setUser(String user) { this.user = user; failUser = PAM_SUCCESS; }
    @Override public String getAuthtok() { return authtok == null ? null : new String(authtok); }
    @Override public void setAuthtok(String authtok) { this.authtok = replace(this.authtok, authtok); }
    @Override public char[] getAuthtokChars() { return authtok == null ? null : authtok.clone(); }
    @Override public String getOldauthtok() { return oldauthtok == null ? null : new String(oldauthtok); }
    @Override public void setOldauthtok(String oldauthtok) { this.oldauthtok = replace(this.oldauthtok, oldauthtok); }
    @Override public char[] getOldauthtokChars() { return oldauthtok == null ? null : oldauthtok.clone(); }
    @Override public String getRhost() { return rhost; }
    @Override public void setRhost(String rhost) { this.rhost = rhost; }
    @Override public String getRuser() { return ruser; }
    @Override public void setRuser(String ruser) { this.ruser = ruser; }
    @Override public String getService() { return service; }
    @Override public String getTty() { return tty; }
    @Override public void setTty(String tty) { this.tty = tty; }
    @Override public String getUserPrompt() { return userPrompt; }
    @Override public void setUserPrompt(String userPrompt) { this.userPrompt = userPrompt; failUser = PAM_SUCCESS; }
    @Override public String getXdisplay() { return xdisplay; }
    @Override public void setXdisplay(String xdisplay) { this.xdisplay = xdisplay; }
    @Override public String getAuthtokType() { return authtokType; }
    @Override public void setAuthtokType(String authtokType) { this.authtokType = authtokType; }
    @Override public XAuthData getXAuthData() { return xauthdata; }
    @Override public void setXAuthData(XAuthData xauthdata) { this.xauthdata = xauthdata; }

    /**
     * Sets {@code PAM_SERVICE}, lower-cased as libpam does; the stack is read again for the new
     * service before the next operation. libpam cannot unset the service: {@code null} gives
     * {@code PAM_BAD_ITEM}.
     */
    @Override
    public void setService(String service) {
        if (service == null) {
            throw new PamException(PAM_BAD_ITEM, "pam_set_item(PAM_SERVICE): the service cannot be unset");
        }
        this.service = PamConfigParser.asciiLowerCase(service);
        onServiceChange.run();
    }

    private static char[] replace(char[] old, String value) {
        if (old != null) {
            Arrays.fill(old, '\0');
        }
        return value == null ? null : value.toCharArray();
    }

    /** Sets PAM_AUTHTOK or PAM_OLDAUTHTOK to {@code value} (taken, not copied), wiping the old one. */
    private void setTokenChars(int item, char[] value) {
        char[] old = item == PAM_AUTHTOK ? authtok : oldauthtok;
        if (old != null) {
            Arrays.fill(old, '\0');
        }
        if (item == PAM_AUTHTOK) {
            authtok = value;
        } else {
            oldauthtok = value;
        }
    }

    /** pam_end for the Java data: every value's cleanup with {@code status}. */
    void endData(int status) {
        data.end(status);
    }

    /** A cleanup threw: reported as pam_java logs it, at LOG_ERR (nowhere while syslog is not there). */
    private void cleanupFailed(String what, Throwable failure) {
        try {
            syslog(org.pamjava.Syslog.LOG_ERR, what);
        } catch (RuntimeException noLog) {
            // the handle cannot log: the failure stays the cleanup's own
        }
    }

    /** _pam_sanitize: what pam_authenticate and pam_chauthtok do to the tokens before and after. */
    void clearAuthtoks() {
        authtok = replace(authtok, null);
        oldauthtok = replace(oldauthtok, null);
    }

    @Override
    public Map<String, String> environment() {
        return env;
    }

    @Override
    public Response conversation(Message message) {
        return conversation(List.of(message)).get(0);
    }

    @Override
    public List<Response> conversation(List<Message> messages) {
        // As pam_java.so's handle: a wrong count is the module's mistake, not the application's.
        if (messages.isEmpty() || messages.size() > PAM_MAX_NUM_MSG) {
            throw new IllegalArgumentException("a conversation takes 1 to " + PAM_MAX_NUM_MSG
                    + " messages, not " + messages.size());
        }
        List<Response> replies = new ArrayList<>(messages.size());
        for (Message message : List.copyOf(messages)) {
            replies.add(new Response(reply(message), 0));
        }
        return List.copyOf(replies);
    }

    /**
     * The application's answer to one message of any style (libpam passes every style on; the
     * application decides), failing as a conversation through {@code org.pamjava.client} fails:
     * anything it throws is {@code PAM_CONV_ERR}, except its own {@code PAM_BUF_ERR} or
     * {@code PAM_CONV_AGAIN}, and running out of memory is {@code PAM_BUF_ERR}.
     */
    private String reply(Message message) {
        char[] answer;
        try {
            answer = conversation.reply(message);
        } catch (PamException e) {
            int code = e.pamCode();
            throw code == PamConstants.PAM_BUF_ERR || code == PamConstants.PAM_CONV_AGAIN ? e
                    : new PamException(PAM_CONV_ERR, e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new PamException(PamConstants.PAM_BUF_ERR, "the conversation ran out of memory");
        } catch (RuntimeException e) {
            throw new PamException(PAM_CONV_ERR, "the conversation failed: " + e);
        }
        if (answer == null) {
            return null;
        }
        try {
            return new String(answer);
        } finally {
            Arrays.fill(answer, '\0');
        }
    }

    @Override
    public void failDelay(int microseconds) {
        // pam_fail_delay(3) takes an unsigned int: pam_java.so refuses a negative one.
        if (microseconds < 0) {
            throw new IllegalArgumentException("fail delay must not be negative: " + microseconds);
        }
        failDelays.add(microseconds);
    }

    /**
     * pam_syslog(3): kept as a {@link SyslogRecord} of the rule whose call logged it;
     * {@link org.pamjava.Syslog#LOG_DEBUG} only when that rule has the {@code debug} argument.
     */
    @Override
    public void syslog(int level, String message) {
        log.handleSyslog(level, message);
    }

    /** Every pam_fail_delay(3) request so far, in microseconds. */
    List<Integer> failDelays() {
        return List.copyOf(failDelays);
    }

    @Override
    public String getUser(String prompt) {
        if (user != null) {
            return user;
        }
        if (failUser != PAM_SUCCESS) {
            throw new PamException(failUser, "pam_get_user: " + PamCodes.strerror(failUser));
        }
        String usePrompt = prompt != null ? prompt : userPrompt != null ? userPrompt : "login:";
        if (pendingUserPrompt != null) {
            if (!pendingUserPrompt.equals(usePrompt)) {
                throw new PamException(PAM_ABORT, "pam_get_user: resumed with different prompt");
            }
            pendingUserPrompt = null;
        }
        int result;
        Response reply = null;
        try {
            reply = conversation(new Message(PAM_PROMPT_ECHO_ON, usePrompt));
            result = PAM_SUCCESS;
        } catch (PamException e) {
            int code = e.pamCode();
            result = code == PAM_BUF_ERR || code == PAM_CONV_AGAIN || code == PAM_CONV_ERR ? code : PAM_CONV_ERR;
        }
        if (result == PAM_CONV_AGAIN) {
            pendingUserPrompt = usePrompt;
            throw new PamException(result, "pam_get_user: the conversation is waiting for an event");
        }
        if (result == PAM_SUCCESS && reply.resp() != null) {
            setUser(reply.resp());
            return user;
        }
        failUser = result == PAM_SUCCESS ? PAM_CONV_ERR : result;
        throw new PamException(failUser, "pam_get_user: " + PamCodes.strerror(failUser));
    }

    @Override
    public String strerror(int errnum) {
        return PamCodes.strerror(errnum);
    }

    /** The Linux-PAM version whose behaviour the engine follows. */
    @Override
    public String libpamVersion() {
        return "1.5.2";
    }

    /** A number unique to this transaction within the JVM (there is no C {@code pam_handle_t}). */
    @Override
    public long pamh() {
        return id;
    }

    /** {@code false}: the engine runs inside a JVM that existed before PAM was called. */
    @Override
    public boolean jvmInitialized() {
        return false;
    }

    /** Sets what {@link #nss()} gives; null: none (see PamStack.withNss). */
    void useNss(org.pamjava.Nss nss) {
        this.nss = nss;
    }

    /**
     * The directory the stack was given ({@code PamStack.withNss}).
     *
     * @throws IllegalStateException when it was given none: the engine has no default directory
     */
    @Override
    public org.pamjava.Nss nss() {
        if (nss == null) {
            throw new IllegalStateException("this PAM stack has no NSS directory: give one with PamStack.withNss"
                    + " (TestStack.nss(FakeNss...) or TestStack.systemNss() in the test kit)");
        }
        return nss;
    }

    @Override
    public String toString() {
        return "PamHandle[engine 0x" + Long.toHexString(id) + ", service=" + service + ", user=" + user + "]";
    }

    @Override
    public String getAuthtok(String prompt) {
        char[] token = getAuthtokChars(prompt);
        try {
            return new String(token);
        } finally {
            Arrays.fill(token, '\0');
        }
    }

    @Override public char[] getAuthtokChars(String prompt) { return authtoks.get(PAM_AUTHTOK, prompt, false); }
    @Override public char[] getOldauthtokChars(String prompt) { return authtoks.get(PAM_OLDAUTHTOK, prompt, false); }
    @Override public char[] getAuthtokNoverifyChars(String prompt) { return authtoks.get(PAM_AUTHTOK, prompt, true); }
    @Override public char[] verifyAuthtokChars(String prompt) { return authtoks.verify(prompt); }

    /** A rule's module is about to run with {@code args} (libpam's mod_argv), or has returned ({@code null}). */
    void running(org.pamjava.PamOperation operation, List<String> args) {
        authtoks.running(operation, args);
    }

    /** pam_prompt(3): a conversation of one message; {@code text} is shown as it is. */
    @Override
    public String prompt(int style, String text) {
        return conversation(new Message(style, text)).resp();
    }

    @Override public void info(String text) { prompt(PAM_TEXT_INFO, text); }
    @Override public void error(String text) { prompt(PAM_ERROR_MSG, text); }
    @Override public <T> T getData(String name, Class<T> type) { return data.get(name, type); }
    @Override public <T> void setData(String name, T value, org.pamjava.DataCleanup<? super T> cleanup) { data.set(name, value, cleanup); }
}
