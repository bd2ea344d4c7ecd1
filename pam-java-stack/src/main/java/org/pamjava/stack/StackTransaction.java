package org.pamjava.stack;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.pamjava.Conversation;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;
import org.pamjava.PamOperation;

/**
 * One PAM transaction, the engine's {@code pam_handle_t} seen from the application: the six stack
 * operations with libpam's semantics, and pam_end(3). Made by {@link PamStack#start}.
 *
 * <p>Each operation returns the PAM code the real libpam would return. The modules see
 * {@link #handle()}; the application (a test) may use the same handle to set items before an
 * operation and inspect them after. As in libpam, {@code PAM_AUTHTOK} and {@code PAM_OLDAUTHTOK}
 * are cleared before and after {@link #authenticate} and {@link #chauthtok}.
 *
 * <p>Not thread-safe, like libpam.
 */
public final class StackTransaction implements AutoCloseable {

    /** Debian's multiarch module directory, which libpam puts before a relative module path. */
    private static final String DEFAULT_MODULE_DIR = "/lib/x86_64-linux-gnu/security/";

    private final ConfigSource source;
    private final ModuleResolver resolver;
    private final StackHandle handle;
    private final Map<String, Optional<PamModule>> modules = new LinkedHashMap<>();
    /** The first rule naming each module: whose the records of its end hook are. */
    private final Map<String, PamRule> firstRules = new LinkedHashMap<>();
    /** Keys of pam_java.so rules whose pam_java.so itself is not there: libpam cannot load it. */
    private final Set<String> missingNativeModules = new HashSet<>();
    private final Map<List<PamRule>, int[]> frozen = new IdentityHashMap<>();
    private final List<RuleTrace> trace = new ArrayList<>();
    private final StackRunner runner;
    private PamConfig config;
    private boolean reloadPending;
    private PamOperation pending;
    private StackRunner.Resume resume;
    private boolean chauthtokUpdating;
    private boolean ended;
    /** Results given for rules instead of calling their modules, or null. */
    private final AssumedResults assumed;

    StackTransaction(ConfigSource source, ModuleResolver resolver, PamConfig config, String user,
                   Conversation conversation, AssumedResults assumed) {
        this.source = source;
        this.assumed = assumed; // before loadModules: a module whose every rule is given is not loaded
        this.resolver = resolver;
        this.config = config;
        this.handle = new StackHandle(config.service(), user, conversation, () -> reloadPending = true);
        this.runner = new StackRunner(this::callModule, trace::add);
        loadModules();
    }

    /** What the handle's {@code nss()} gives (PamStack.withNss), or null for none. */
    void useNss(org.pamjava.Nss nss) {
        handle.useNss(nss);
    }

    /** The handle the modules of this transaction are given. */
    public PamHandle handle() {
        return handle;
    }

    /** The configuration the stacks come from. */
    public PamConfig config() {
        return config;
    }

    /** pam_authenticate(3). */
    public int authenticate(int flags) {
        checkOpen();
        if (pending == null) {
            handle.clearAuthtoks();
        }
        int result = dispatch(PamOperation.AUTHENTICATE, flags);
        if (result != PamConstants.PAM_INCOMPLETE) {
            handle.clearAuthtoks();
        }
        return result;
    }

    /** pam_setcred(3); flags 0 mean {@code PAM_ESTABLISH_CRED}, as in libpam. */
    public int setcred(int flags) {
        checkOpen();
        return dispatch(PamOperation.SETCRED, flags == 0 ? PamConstants.PAM_ESTABLISH_CRED : flags);
    }

    /** pam_acct_mgmt(3). */
    public int acctMgmt(int flags) {
        checkOpen();
        return dispatch(PamOperation.ACCT_MGMT, flags);
    }

    /** pam_open_session(3). */
    public int openSession(int flags) {
        checkOpen();
        return dispatch(PamOperation.OPEN_SESSION, flags);
    }

    /** pam_close_session(3). */
    public int closeSession(int flags) {
        checkOpen();
        return dispatch(PamOperation.CLOSE_SESSION, flags);
    }

    /**
     * pam_chauthtok(3): the password stack runs with {@code PAM_PRELIM_CHECK}, then, if that
     * succeeded, with {@code PAM_UPDATE_AUTHTOK}. An application may not pass either flag
     * ({@code PAM_SYSTEM_ERR}).
     */
    public int chauthtok(int flags) {
        checkOpen();
        if ((flags & (PamConstants.PAM_PRELIM_CHECK | PamConstants.PAM_UPDATE_AUTHTOK)) != 0) {
            return PamConstants.PAM_SYSTEM_ERR;
        }
        if (pending == null) {
            handle.clearAuthtoks();
            chauthtokUpdating = false;
        }
        int result = PamConstants.PAM_SUCCESS;
        if (chauthtokUpdating
                || (result = dispatch(PamOperation.CHAUTHTOK, flags | PamConstants.PAM_PRELIM_CHECK))
                == PamConstants.PAM_SUCCESS) {
            chauthtokUpdating = true;
            result = dispatch(PamOperation.CHAUTHTOK, flags | PamConstants.PAM_UPDATE_AUTHTOK);
        }
        if (result != PamConstants.PAM_INCOMPLETE) {
            handle.clearAuthtoks();
            chauthtokUpdating = false;
        }
        return result;
    }

    /**
     * pam_end(3): calls {@link PamModule#end} once on every module instance of the transaction
     * (an exception there is ignored), then the cleanup of every value modules stored with
     * {@code PamHandle.setData}, with {@code status}, and closes the transaction.
     *
     * @param status the application's last PAM result, as pam_end takes it
     * @return {@code PAM_SUCCESS}, or {@code PAM_SYSTEM_ERR} if the transaction had ended already
     */
    public int end(int status) {
        if (ended) {
            return PamConstants.PAM_SYSTEM_ERR;
        }
        ended = true;
        for (Map.Entry<String, Optional<PamModule>> module : modules.entrySet()) {
            module.getValue().ifPresent(m -> {
                // pam_end runs no rule: the end hook has no arguments, so no debug records.
                CallLog.Call before = handle.log.enter(firstRules.get(module.getKey()), false);
                try {
                    m.end(handle);
                } catch (Throwable t) {
                    // logged and ignored by pam_java
                } finally {
                    CallLog.leave(before);
                }
            });
        }
        handle.endData(status); // after every end hook, which may still read the data
        handle.clearAuthtoks();
        return PamConstants.PAM_SUCCESS;
    }

    /** {@link #end} with {@code PAM_SUCCESS}, unless the transaction has ended already. */
    @Override
    public void close() {
        if (!ended) {
            end(PamConstants.PAM_SUCCESS);
        }
    }

    /** Whether {@link #end} has been called. */
    public boolean isEnded() {
        return ended;
    }

    /** Every rule run so far in this transaction, in order. */
    public List<RuleTrace> trace() {
        return List.copyOf(trace);
    }

    /**
     * Every record the modules logged so far, in order: through {@link PamHandle#syslog}, and what
     * reached {@link CallLog#toCurrentCall} during their calls. LOG_DEBUG records only from rules
     * with the {@code debug} argument.
     */
    public List<SyslogRecord> logRecords() {
        return handle.log.records();
    }

    /** Every pam_fail_delay(3) request the modules made, in microseconds, in order. */
    public List<Integer> failDelays() {
        return handle.failDelays();
    }

    private void checkOpen() {
        if (ended) {
            throw new IllegalStateException("the PAM transaction has ended");
        }
    }

    private int dispatch(PamOperation op, int flags) {
        if (reloadPending) {
            PamConfig reloaded = PamConfigParser.parse(source, handle.getService());
            if (!reloaded.isUsable()) {
                return PamConstants.PAM_ABORT; // "unable to dispatch function"
            }
            config = reloaded;
            frozen.clear();
            loadModules();
            reloadPending = false;
        }
        List<PamRule> rules = config.rules(ModuleType.of(op));
        StackRunner.Resume from = null;
        if (pending != null) {
            if (pending != op) {
                return PamConstants.PAM_ABORT; // "application failed to re-exec stack"
            }
            from = resume;
            resume = null;
        }
        int[] chain = frozen.computeIfAbsent(rules, r -> newChain(r.size()));
        int result = runner.run(op, flags, rules, chain, replaysFrozenChain(op), from, r -> resume = r);
        pending = result == PamConstants.PAM_INCOMPLETE ? op : null;
        return result;
    }

    private static int[] newChain(int size) {
        int[] chain = new int[size];
        java.util.Arrays.fill(chain, StackRunner.NOT_FROZEN);
        return chain;
    }

    /**
     * Resolves each module up front, as libpam loads them in pam_start; except a module whose
     * every rule has its results given ({@link AssumedResults#givesEveryCall}): it would never be
     * called, and a Java module's constructor is code that runs (files, network).
     */
    private void loadModules() {
        Map<String, PamRule> needed = new LinkedHashMap<>();
        Set<String> called = new HashSet<>();
        for (ModuleType type : ModuleType.values()) {
            for (List<PamRule> rules : List.of(config.serviceRules(type), config.otherRules(type))) {
                for (PamRule rule : rules) {
                    String key = moduleKey(rule);
                    if (key != null && !modules.containsKey(key)) {
                        needed.putIfAbsent(key, rule);
                        if (assumed == null || !assumed.givesEveryCall(rule)) {
                            called.add(key);
                        }
                    }
                }
            }
        }
        for (Map.Entry<String, PamRule> n : needed.entrySet()) {
            if (called.contains(n.getKey())) {
                load(n.getKey(), n.getValue());
            }
        }
    }

    private Optional<PamModule> load(String key, PamRule rule) {
        Optional<PamModule> module = resolver.resolve(rule.modulePath(), moduleArgs(rule));
        modules.put(key, module);
        firstRules.put(key, rule);
        if (module.isEmpty() && ModuleResolver.isPamJava(rule.modulePath()) && !resolver.installed(rule.modulePath())) {
            missingNativeModules.add(key);
        }
        return module;
    }

    /** The identity of a rule's module: libpam's full path, plus the Java MODULE for pam_java.so. */
    private static String moduleKey(PamRule rule) {
        if ((rule.kind() != PamRule.Kind.MODULE && rule.kind() != PamRule.Kind.SILENT_MODULE)
                || rule.modulePath() == null) {
            return null;
        }
        String path = rule.modulePath().startsWith("/") ? rule.modulePath() : DEFAULT_MODULE_DIR + rule.modulePath();
        if (ModuleResolver.isPamJava(path)) {
            List<String> javaArgs = ModuleResolver.javaModuleArgs(rule.args());
            return javaArgs.isEmpty() ? null : path + "\0" + javaArgs.getFirst();
        }
        return path;
    }

    /** What a rule's module is handed: its arguments, for pam_java.so those after pam_java.so's own options. */
    private static List<String> moduleArgs(PamRule rule) {
        return rule.modulePath() != null && ModuleResolver.isPamJava(rule.modulePath())
                ? ModuleResolver.javaModuleArgs(rule.args()) : rule.args();
    }

    /** pam_setcred and pam_close_session replay the chain frozen by their partner operation. */
    private static boolean replaysFrozenChain(PamOperation op) {
        return op == PamOperation.SETCRED || op == PamOperation.CLOSE_SESSION;
    }

    private StackRunner.Outcome callModule(PamRule rule, PamOperation op, int flags) {
        if (assumed != null) {
            OptionalInt given = assumed.result(rule, op, flags);
            if (given.isPresent()) {
                return new StackRunner.Outcome(given.getAsInt(), null);
            }
        }
        String key = moduleKey(rule);
        boolean pamJava = ModuleResolver.isPamJava(rule.modulePath());
        if (key == null) {
            return new StackRunner.Outcome(PamConstants.PAM_MODULE_UNKNOWN, null); // pam_java.so without MODULE
        }
        Optional<PamModule> module = modules.get(key);
        if (module == null) { // not loaded because every call was to be given: an AssumedResults breaking that
            module = load(key, rule);
        }
        if (module.isEmpty()) {
            // pam_java.so's own answer for a MODULE it cannot open needs pam_java.so to be there
            boolean pamJavaOpensNoModule = pamJava && !missingNativeModules.contains(key);
            return new StackRunner.Outcome(pamJavaOpensNoModule ? PamConstants.PAM_OPEN_ERR : PamConstants.PAM_MODULE_UNKNOWN, null);
        }
        PamModule m = module.get();
        List<String> args = moduleArgs(rule);
        CallLog.Call before = handle.log.enter(rule, CallLog.hasDebug(args, pamJava));
        handle.running(op, rule.args()); // libpam's mod_argv: every argument of the rule
        try {
            int result = op.call(m, handle, flags, args);
            if (result < 0 || result >= Control.RETURN_VALUES) {
                return new StackRunner.Outcome(PamConstants.PAM_SERVICE_ERR,
                        new IllegalStateException("module returned " + result + ", not a PAM code"));
            }
            return new StackRunner.Outcome(result, null);
        } catch (OutOfMemoryError e) {
            return new StackRunner.Outcome(PamConstants.PAM_BUF_ERR, e);
        } catch (Throwable t) {
            return new StackRunner.Outcome(PamConstants.PAM_SERVICE_ERR, t);
        } finally {
            CallLog.leave(before);
            handle.running(null, null);
        }
    }
}
