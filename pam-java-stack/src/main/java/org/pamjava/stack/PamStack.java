package org.pamjava.stack;

import java.util.Objects;
import org.pamjava.Conversation;
import org.pamjava.Nss;
import org.pamjava.PamConstants;
import org.pamjava.PamException;

/**
 * A PAM configuration and the modules its rules can name: what libpam is for an application.
 * {@link #start} is pam_start_confdir(3).
 *
 * <pre>{@code
 * PamStack stack = PamStack.of(ConfigSource.files(Map.of("login", """
 *         auth    required  pam_java.so Otp.java digits=6
 *         account required  pam_permit.so
 *         """))).withModules((path, args) -> args.get(0).equals("Otp.java")
 *                 ? Optional.of(new Otp()) : Optional.empty());
 * try (StackTransaction pam = stack.start("login", "alice", conversation)) {
 *     int rc = pam.authenticate(0);
 * }
 * }</pre>
 */
public final class PamStack {

    private final ConfigSource source;
    private final ModuleResolver resolver;
    /** What {@code PamHandle.nss()} gives the modules, or null: see {@link #withNss}. */
    private final Nss nss;
    /** Results given for rules instead of calling their modules, or null: see {@link #withAssumedResults}. */
    private final AssumedResults assumed;

    private PamStack(ConfigSource source, ModuleResolver resolver) {
        this(source, resolver, null, null);
    }

    private PamStack(ConfigSource source, ModuleResolver resolver, Nss nss, AssumedResults assumed) {
        this.source = source;
        this.resolver = resolver;
        this.nss = nss;
        this.assumed = assumed;
    }

    /** A stack over {@code source} whose rules can use {@link ModuleResolver#standard()} modules. */
    public static PamStack of(ConfigSource source) {
        return new PamStack(Objects.requireNonNull(source), ModuleResolver.standard());
    }

    /** The same stack, with {@code modules} tried before the modules already known. */
    public PamStack withModules(ModuleResolver modules) {
        return new PamStack(source, modules.orElse(resolver), nss, assumed);
    }

    /** The same stack with exactly {@code resolver} (not even the standard modules besides). */
    public PamStack withOnlyModules(ModuleResolver resolver) {
        return new PamStack(source, Objects.requireNonNull(resolver), nss, assumed);
    }

    /**
     * The same stack, whose modules get {@code nss} from {@code PamHandle.nss()}: a fake directory
     * in a test, the C library's NSS in {@code pam-java simulate}. The engine has no default (it
     * carries no native code): without this, a module's {@code nss()} throws
     * {@link IllegalStateException}, so a lookup never silently answers from the wrong directory.
     */
    public PamStack withNss(Nss nss) {
        return new PamStack(source, resolver, Objects.requireNonNull(nss, "nss"), assumed);
    }

    /**
     * The same stack, where a module rule for which {@code results} has a code returns it without
     * its module being called (a module that cannot be loaded included), and the control, the
     * stack's state and the trace follow as if the module had returned it.
     */
    public PamStack withAssumedResults(AssumedResults results) {
        return new PamStack(source, resolver, nss, Objects.requireNonNull(results, "results"));
    }

    /** The parsed configuration of {@code service}, with its diagnostics. */
    public PamConfig config(String service) {
        return PamConfigParser.parse(source, service);
    }

    /**
     * pam_start_confdir(3): reads the configuration of {@code service}, resolves its modules and
     * starts a transaction.
     *
     * @param user the initial {@code PAM_USER}, or {@code null}
     * @throws PamException with {@code PAM_ABORT} when libpam could not use the configuration
     *     (the message lists the diagnostics), and where libpam itself would crash
     *     ({@link PamConfig#libpamCrashes()})
     */
    public StackTransaction start(String service, String user, Conversation conversation) {
        Objects.requireNonNull(conversation, "conversation");
        PamConfig config = PamConfigParser.parse(source, service);
        if (!config.isUsable()) {
            throw new PamException(PamConstants.PAM_ABORT, "pam_start: cannot use the configuration of "
                    + config.service() + (config.libpamCrashes() ? " (libpam's pam_start would crash the host)" : "")
                    + ": " + config.diagnostics());
        }
        StackTransaction transaction = new StackTransaction(source, resolver, config, user, conversation, assumed);
        transaction.useNss(nss);
        return transaction;
    }
}
