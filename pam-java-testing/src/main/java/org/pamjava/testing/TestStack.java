package org.pamjava.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.pamjava.Nss;
import org.pamjava.PamModule;
import org.pamjava.stack.ConfigSource;
import org.pamjava.stack.ModuleResolver;
import org.pamjava.stack.PamConfig;
import org.pamjava.stack.PamStack;
import org.pamjava.runtime.Diagnostics;
import org.pamjava.runtime.ModuleLoader;
import org.pamjava.runtime.SharedStates;

/**
 * A PAM service under test: its configuration (written in the test, or read from a directory) and
 * the Java modules its rules name. Immutable; each {@code with}-style method returns a new stack.
 *
 * <p>Modules are found by name. A rule {@code pam_java.so MODULE ...} uses the module registered
 * under MODULE (or under MODULE's file name, so {@code /etc/security/Otp.java} finds
 * {@code "Otp.java"}); any other rule uses the module registered under its module path or file name
 * ({@code "pam_foo.so"}). Linux-PAM's {@code pam_permit.so}, {@code pam_deny.so} and
 * {@code pam_debug.so} are always there. A {@code pam_java.so} rule whose MODULE is not registered
 * loads the {@code .java} or {@code .jar} file it names with pam_java's own loader, as the native
 * module does. Every other module is unavailable, as a module that fails to load.
 *
 * <p>A stack is the process its modules run in: a module file declaring
 * {@link org.pamjava.SharedState} gets one state per version of the file for all the transactions
 * of this stack and of every stack made from it with the {@code with}-style methods, as in an
 * application that runs PAM many times. That state is closed when the file changes and the last
 * transaction of the old version has ended (pam_end), or when the stack is {@linkplain #close closed};
 * a later transaction then gets a new one.
 */
public final class TestStack implements AutoCloseable {

    /** Where the test kit's own troubles go, as JavaModuleFiles prints them. */
    private static final Diagnostics STDERR = (priority, message) -> System.err.println("pam_java: " + message);

    private final String service;
    private final Map<String, String> files;
    private final Path directory;
    private final String pamConf;
    private final Map<String, Supplier<PamModule>> modules;
    private final ModuleResolver loader;
    /** What the modules' {@code PamHandle.nss()} gives, or null for none: see {@link #nss(Nss)}. */
    private final Nss nss;
    /** The shared states of this stack and of the stacks made from it. */
    private final SharedStates states;

    private TestStack(String service, Map<String, String> files, Path directory, String pamConf,
                      Map<String, Supplier<PamModule>> modules) {
        this(service, files, directory, pamConf, modules, new SharedStates(STDERR, false));
    }

    private TestStack(String service, Map<String, String> files, Path directory, String pamConf,
                      Map<String, Supplier<PamModule>> modules, SharedStates states) {
        this(service, files, directory, pamConf, modules, new JavaModuleFiles(states), states, null);
    }

    private TestStack(String service, Map<String, String> files, Path directory, String pamConf,
                      Map<String, Supplier<PamModule>> modules, ModuleResolver loader, SharedStates states, Nss nss) {
        this.states = states;
        this.service = service;
        this.files = files;
        this.directory = directory;
        this.pamConf = pamConf;
        this.modules = modules;
        this.loader = loader;
        this.nss = nss;
    }

    /**
     * Adds a resolver tried after the registered modules, for example pam_java's own loader of
     * {@code .java} and {@code .jar} modules, so rules can name real module files.
     */
    public TestStack loader(ModuleResolver resolver) {
        return new TestStack(service, files, directory, pamConf, modules, loader.orElse(resolver), states, nss);
    }

    /**
     * The directory of users and groups the modules' {@code PamHandle.nss()} gives, usually a
     * {@link FakeNss}. A stack given none has none: a module's {@code nss()} then throws
     * {@link IllegalStateException}, so a test never depends on the users of the machine it runs
     * on by accident ({@link #systemNss()} asks for those on purpose).
     */
    public TestStack nss(Nss nss) {
        return new TestStack(service, files, directory, pamConf, modules, loader, states, Objects.requireNonNull(nss, "nss"));
    }

    /**
     * The machine's own users and groups through the C library's NSS, as pam_java gives them to
     * modules in an application and in the resident service. The test JVM needs
     * {@code --enable-native-access=ALL-UNNAMED} (surefire's {@code argLine}), or the JDK prints a
     * warning on its stderr at the first lookup.
     */
    public TestStack systemNss() {
        return nss(org.pamjava.runtime.NativeNss.instance());
    }

    /**
     * A service whose pam.d file ({@code /etc/pam.d/SERVICE}) has {@code config} as content. As in
     * pam_start(3), the service name is reduced to its last path component and lower-cased.
     */
    public static TestStack service(String service, String config) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(fileName(service), config);
        return new TestStack(service, files, null, null, Map.of());
    }

    /** A service configured by the pam.d-style files of {@code directory} (includes resolved there too). */
    public static TestStack directory(Path directory, String service) {
        return new TestStack(service, Map.of(), directory, null, Map.of());
    }

    /** A service configured by an {@code /etc/pam.conf}-style text (five fields per line). */
    public static TestStack pamConf(String service, String pamConf) {
        return new TestStack(service, Map.of(), null, pamConf, Map.of());
    }

    private static String fileName(String service) {
        String name = service.substring(service.lastIndexOf('/') + 1);
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) {
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }

    /** Adds a pam.d file, for {@code include}, {@code substack}, {@code @include} or {@code other}. */
    public TestStack file(String name, String content) {
        if (directory != null) {
            throw new IllegalStateException("this stack reads its files from " + directory);
        }
        Map<String, String> copy = new LinkedHashMap<>(files);
        copy.put(name, content);
        return new TestStack(service, copy, directory, pamConf, modules, loader, states, nss);
    }

    /** Registers a module: a fresh instance from {@code factory} for each transaction, as pam_java does. */
    public TestStack module(String name, Supplier<? extends PamModule> factory) {
        Objects.requireNonNull(factory, "factory");
        Map<String, Supplier<PamModule>> copy = new LinkedHashMap<>(modules);
        copy.put(name, factory::get);
        return new TestStack(service, files, directory, pamConf, copy, loader, states, nss);
    }

    /**
     * Registers one module instance used by every transaction, so the test can look inside it
     * afterwards (the native runtime would make one per transaction).
     */
    public TestStack module(String name, PamModule instance) {
        Objects.requireNonNull(instance, "instance");
        return module(name, () -> instance);
    }

    /** The service name. */
    public String service() {
        return service;
    }

    /** The configuration as the engine reads it, with what libpam would have logged about it. */
    public PamConfig config() {
        return engine().config(service);
    }

    /** Starts a transaction (pam_start) for {@code user}, or with no user yet when {@code null}. */
    public TestTransaction start(String user) {
        ScriptedConversation conversation = new ScriptedConversation();
        CapturedLogging.install(); // before the modules are made: their loggers are then JUL's
        // The instances the transaction made, given back at its pam_end as pam_java gives them
        // back: an old version's shared state is closed with its last instance.
        List<PamModule> instances = new ArrayList<>();
        PamStack engine = engine((path, args) -> {
            Optional<PamModule> module = resolve(path, args);
            module.ifPresent(instances::add);
            return module;
        });
        return new TestTransaction(engine.start(service, user, conversation), conversation, () -> release(instances));
    }

    private static void release(List<PamModule> instances) {
        for (PamModule module : instances) {
            try {
                ModuleLoader.release(module);
            } catch (IOException e) {
                STDERR.log(Diagnostics.LOG_WARNING, "cannot close a module's class loader: " + e);
            }
        }
    }

    /**
     * Closes the shared states ({@link org.pamjava.ModuleState#close}) of the modules this stack
     * and the stacks made from it loaded, as an application's exit would; an exception from a
     * state's close is printed to {@code System.err} and ignored. The stack stays usable: a later
     * transaction gets new states.
     */
    @Override
    public void close() {
        states.closeAll();
    }

    /** Starts a transaction with no {@code PAM_USER}: a module asking for it prompts "login:". */
    public TestTransaction start() {
        return start(null);
    }

    private PamStack engine() {
        return engine(this::resolve);
    }

    private PamStack engine(ModuleResolver resolver) {
        ConfigSource source;
        if (directory != null) {
            source = ConfigSource.directory(directory);
        } else if (pamConf != null) {
            source = ConfigSource.pamConf(pamConf, ConfigSource.files(files));
        } else {
            source = ConfigSource.files(files);
        }
        PamStack stack = PamStack.of(source).withModules(resolver);
        return nss == null ? stack : stack.withNss(nss);
    }

    private Optional<PamModule> resolve(String path, List<String> args) {
        String name = ModuleResolver.isPamJava(path) ? args.getFirst() : path;
        Supplier<PamModule> factory = modules.get(name);
        if (factory == null) {
            factory = modules.get(name.substring(name.lastIndexOf('/') + 1));
        }
        return factory == null ? loader.resolve(path, args) : Optional.of(factory.get());
    }

    @Override
    public String toString() {
        return "TestStack[" + service + ", modules " + modules.keySet() + "]";
    }
}
