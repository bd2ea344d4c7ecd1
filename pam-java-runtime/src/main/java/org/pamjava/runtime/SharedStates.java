package org.pamjava.runtime;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pamjava.PamConstants;
import org.pamjava.PamModule;
import org.pamjava.ModuleState;
import org.pamjava.SharedState;

/**
 * The shared states of the modules that declare {@link SharedState}, in one scope: the process
 * (in-process), the resident service, or a test kit's {@code TestStack}. Per module file it keeps
 * the current version: the one class loader its classes are defined in, the module's constructor
 * taking the state, the one {@link ModuleState} (created at the version's first handle, exactly
 * once however many handles start at the same time), and how many module instances of that
 * version are alive.
 *
 * <p>A version is retired when a later handle loads another version of the file; its state is
 * closed (and its class loader with it) once no instance of it is left, on the thread that ended
 * the last one ({@link ModuleLoader#release}), or at once when none is. A state whose constructor
 * throws is not kept: the handle fails to load ({@code PAM_SERVICE_ERR}, the reason logged) and
 * the next handle tries again, so a directory that was down when the first login came does not
 * lock everyone out until the file changes. {@link #closeAll} closes every state (the resident
 * service's exit, a {@code TestStack}'s close); an exception from a state's {@code close} is logged
 * and otherwise ignored.
 */
public final class SharedStates {
    /** How long the JVM's exit waits for the states' {@code close} in all (then it goes on without them). */
    static final long EXIT_WAIT_MILLIS = 1000;
    /** The descriptor of the annotation as a class file names it: absent, the class cannot carry it. */
    private static final byte[] ANNOTATION_DESCRIPTOR =
            ("L" + SharedState.class.getName().replace('.', '/') + ";").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Diagnostics log;
    private final boolean closeAtExit;
    private final Map<Path, Slot> files = new ConcurrentHashMap<>();
    private boolean exitHookInstalled;

    /**
     * @param log where failures of a state's {@code close} go
     * @param closeAtExit whether the JVM's shutdown hooks close the states (in-process: see
     *                    {@link #installExitHook}); the resident service closes them itself
     */
    public SharedStates(Diagnostics log, boolean closeAtExit) {
        this.log = log;
        this.closeAtExit = closeAtExit;
    }

    /** Makes a class loader for one version of a module file; the scope keeps it for every handle. */
    interface LoaderFactory {
        ModuleClassLoader newLoader(Version owner);
    }

    /**
     * Whether the module class {@code type} declares {@link SharedState}, checked as its first
     * handle would check it (the state's class, the module's constructor taking it), without
     * creating or initialising anything: ModuleLoader's verify, for {@code pam-java check}. The
     * annotation is read from {@code classFile}, the class's bytes ({@link SharedStateDeclaration}:
     * reflection would initialise enums its annotations name), the state class loaded uninitialised.
     */
    static boolean checkDeclaration(Path file, Class<?> type, byte[] classFile) throws ModuleLoadException {
        String stateName;
        Class<?> stateType;
        try {
            stateName = SharedStateDeclaration.stateClassName(classFile);
            if (stateName == null) {
                return false;
            }
            stateType = Class.forName(stateName, false, type.getClassLoader());
        } catch (IllegalArgumentException | ClassNotFoundException | LinkageError e) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                    "cannot load class " + type.getName() + " of " + file + ": " + e, e);
        }
        Version.constructorTaking(file, type, Version.checkedStateType(file, type, stateType));
        return true;
    }

    /**
     * Whether a class file may carry {@link SharedState}: it names the annotation's type in its
     * constant pool. False means it certainly does not, and the module is not looked at further.
     */
    static boolean mayDeclare(byte[] classFile) {
        if (classFile == null) {
            return true;
        }
        outer:
        for (int i = 0; i + ANNOTATION_DESCRIPTOR.length <= classFile.length; i++) {
            for (int j = 0; j < ANNOTATION_DESCRIPTOR.length; j++) {
                if (classFile[i + j] != ANNOTATION_DESCRIPTOR[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * A new instance of version {@code version} of {@code file}'s module, made with the version's
     * shared state, or null when the module's class does not declare {@link SharedState} after
     * all (then the caller loads it as any other). A version other than the file's current one
     * retires the current one.
     */
    PamModule instance(Path file, Object version, String className, LoaderFactory loaders) throws ModuleLoadException {
        // No lambda on the call path (CallPathClassesTest): get, then putIfAbsent.
        Slot slot = files.get(file);
        if (slot == null) {
            Slot fresh = new Slot();
            slot = files.putIfAbsent(file, fresh);
            if (slot == null) {
                slot = fresh;
            }
        }
        Version v;
        ModuleState state;
        synchronized (slot) {
            v = slot.current;
            if (v == null || !v.key.equals(version)) {
                slot.current = null;
                if (v != null) {
                    closeRetired(v.retire());
                }
                v = new Version(version, this);
                v.define(file, className, loaders);
                slot.current = v;
            }
            if (v.constructor == null) {
                return null;
            }
            state = v.acquire(file, this);
        }
        try {
            return (PamModule) v.constructor.newInstance(state);
        } catch (InvocationTargetException e) {
            closeRetired(v.instanceEnded());
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, "the constructor of "
                    + v.constructor.getDeclaringClass().getName() + " threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            closeRetired(v.instanceEnded());
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, "cannot create "
                    + v.constructor.getDeclaringClass().getName() + " of " + file + ": " + e, e);
        }
    }

    /**
     * A version of {@code file} that declares no shared state is loaded: a shared one before it is
     * retired. Costs a load nothing while no module of the scope has shared state.
     */
    void notShared(Path file) {
        if (files.isEmpty()) {
            return;
        }
        Slot slot = files.get(file.toAbsolutePath().normalize());
        if (slot == null) {
            return;
        }
        Version retired;
        synchronized (slot) {
            retired = slot.current;
            slot.current = null;
        }
        if (retired != null) {
            closeRetired(retired.retire());
        }
    }

    /**
     * Closes every state now, whether instances of it are still alive or not (they keep the
     * closed object); later handles create new ones. Each {@code close} runs on this thread, its
     * exception logged and ignored.
     */
    public void closeAll() {
        List<Version> all = new ArrayList<>();
        for (Slot slot : files.values()) {
            synchronized (slot) {
                if (slot.current != null) {
                    all.add(slot.current);
                    slot.current = null;
                }
            }
        }
        for (Version v : all) {
            closeRetired(v.closeNow());
        }
    }

    /** How many versions have a state now (for tests). */
    int liveStates() {
        int n = 0;
        for (Slot slot : files.values()) {
            synchronized (slot) {
                if (slot.current != null && slot.current.hasState()) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * In-process, the JVM's shutdown hooks close the states, bounded by {@link #EXIT_WAIT_MILLIS}
     * (a daemon thread runs them, so a {@code close} that never returns does not hold the exit).
     * In a JVM that pam_java created inside a C application they run only when Java code ends
     * the process (System.exit past the loader's rewrite): the JVM then dies but the application
     * goes on, and closing releases the sockets and threads that would otherwise stay in it.
     * An application's own {@code exit(3)} runs no Java at all (HotSpot has no atexit handler),
     * nor does {@code _exit}: the process's end releases everything anyway. In a Java application
     * the hooks run at its normal exit. Installed at the first state, so a process whose modules
     * share nothing registers no hook.
     */
    private synchronized void installExitHook() {
        if (!closeAtExit || exitHookInstalled) {
            return;
        }
        exitHookInstalled = true;
        Runtime.getRuntime().addShutdownHook(new Thread(new CloseAtExit(this), "pam_java shared states at exit"));
    }

    /** The shutdown hook: every state's close on a daemon thread, waited for {@link #EXIT_WAIT_MILLIS} at most. */
    private record CloseAtExit(SharedStates states) implements Runnable {
        @Override
        public void run() {
            Thread closing = new Thread(new CloseAll(states), "pam_java shared state close");
            closing.setDaemon(true);
            closing.start();
            try {
                closing.join(EXIT_WAIT_MILLIS);
            } catch (InterruptedException e) {
                // exiting anyway
            }
        }
    }

    /** {@link #closeAll}, as a thread's work. */
    private record CloseAll(SharedStates states) implements Runnable {
        @Override
        public void run() {
            states.closeAll();
        }
    }

    /** Closes what a retired version left to close (null: nothing); never throws. */
    private void closeRetired(Version closed) {
        if (closed == null) {
            return;
        }
        ModuleState state = closed.takeState();
        if (state != null) {
            Thread thread = Thread.currentThread();
            ClassLoader context = thread.getContextClassLoader();
            thread.setContextClassLoader(closed.loader);
            try {
                state.close();
            } catch (Throwable t) {
                log.logFailure("the shared state " + state.getClass().getName() + " threw " + t.getClass().getName()
                        + " in close (ignored)", t);
            } finally {
                thread.setContextClassLoader(context);
            }
        }
        if (closed.loader != null) {
            try {
                closed.loader.close();
            } catch (java.io.IOException e) {
                // its jars are released at GC then
            }
        }
    }

    /** One module file's current version. */
    private static final class Slot {
        Version current;
    }

    /**
     * One version of a module file in this scope: its class loader, the constructor taking the
     * state, the state, and its live instances. The live count and the state are guarded by the
     * version's own lock; which version is current, by its file's {@link Slot}.
     */
    static final class Version {
        final Object key;
        private final SharedStates scope;
        ModuleClassLoader loader;
        /** The module's public constructor taking the state; null when the class declares none. */
        Constructor<?> constructor;
        private Class<? extends ModuleState> stateType;
        private ModuleState state;
        private int live;
        private boolean retired;
        private boolean closed;

        Version(Object key, SharedStates scope) {
            this.key = key;
            this.scope = scope;
        }

        /** An instance of this version ended ({@link ModuleLoader#release}): the state is closed if it was the retired version's last. */
        void ended() {
            scope.closeRetired(instanceEnded());
        }

        /** Loads the module class in a loader of this version's and reads its annotation. */
        void define(Path file, String className, LoaderFactory loaders) throws ModuleLoadException {
            ModuleClassLoader candidate = loaders.newLoader(this);
            Class<?> type;
            SharedState declared;
            try {
                type = Class.forName(className, false, candidate);
                declared = type.getAnnotation(SharedState.class);
            } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                // RuntimeException: TypeNotPresentException, AnnotationTypeMismatchException
                closeQuietly(candidate);
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                        "cannot load class " + className + " of " + file + ": " + e, e);
            }
            if (declared == null) {
                closeQuietly(candidate); // the caller defines it as it defines any module
                return;
            }
            try {
                stateType = checkedStateType(file, type, declared.value());
                constructor = constructorTaking(file, type, stateType);
            } catch (ModuleLoadException e) {
                closeQuietly(candidate);
                throw e;
            }
            loader = candidate;
        }

        /** This version's state, created at its first handle (exactly once), and one more live instance. */
        synchronized ModuleState acquire(Path file, SharedStates scope) throws ModuleLoadException {
            if (closed) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, "the shared state of " + file + " is closed");
            }
            if (state == null) {
                state = create(file);
                scope.installExitHook();
            }
            live++;
            return state;
        }

        private ModuleState create(Path file) throws ModuleLoadException {
            String what = "the shared state " + stateType.getName() + " of " + file;
            Thread thread = Thread.currentThread();
            ClassLoader context = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                return stateType.getConstructor().newInstance();
            } catch (InvocationTargetException e) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, what + " failed to initialise: "
                        + e.getCause() + " (the next handle tries again)", e.getCause());
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, "cannot create " + what + ": " + e, e);
            } finally {
                thread.setContextClassLoader(context);
            }
        }

        /** One instance ended; this version itself if that leaves a retired version with nothing alive. */
        synchronized Version instanceEnded() {
            live--;
            return retired && live <= 0 && !closed ? markClosed() : null;
        }

        /** No longer current; this version itself if nothing of it is alive (close it now). */
        synchronized Version retire() {
            retired = true;
            return live <= 0 && !closed ? markClosed() : null;
        }

        /** Closed whatever is alive (the scope's end); this version, or null if closed already. */
        synchronized Version closeNow() {
            retired = true;
            return closed ? null : markClosed();
        }

        private Version markClosed() {
            closed = true;
            return this;
        }

        synchronized ModuleState takeState() {
            ModuleState s = state;
            state = null;
            return s;
        }

        synchronized boolean hasState() {
            return state != null;
        }

        private static void closeQuietly(ModuleClassLoader loader) {
            try {
                loader.close();
            } catch (java.io.IOException e) {
                // released at GC then
            }
        }

        private static Class<? extends ModuleState> checkedStateType(Path file, Class<?> module, Class<?> type)
                throws ModuleLoadException {
            String where = module.getName() + " of " + file + " declares @SharedState(" + type.getName() + "), ";
            if (!ModuleState.class.isAssignableFrom(type)) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, where + "which does not implement org.pamjava.ModuleState");
            }
            int modifiers = type.getModifiers();
            if (type.isInterface() || Modifier.isAbstract(modifiers) || !Modifier.isPublic(modifiers)
                    || type.isMemberClass() && !Modifier.isStatic(modifiers)) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, where
                        + "which must be a public concrete class (a nested one static) with a public no-argument constructor");
            }
            try {
                type.getConstructor();
            } catch (NoSuchMethodException e) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, where + "which has no public no-argument constructor", e);
            }
            return type.asSubclass(ModuleState.class);
        }

        /** The module's public constructor taking the state (a parameter of the state's type or a supertype). */
        private static Constructor<?> constructorTaking(Path file, Class<?> module, Class<?> stateType)
                throws ModuleLoadException {
            if (!PamModule.class.isAssignableFrom(module)) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                        module.getName() + " of " + file + " does not implement org.pamjava.PamModule");
            }
            if (!Modifier.isPublic(module.getModifiers()) || Modifier.isAbstract(module.getModifiers())) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                        module.getName() + " of " + file + " must be a public concrete class");
            }
            for (Constructor<?> c : module.getConstructors()) {
                Class<?>[] parameters = c.getParameterTypes();
                if (parameters.length == 1 && parameters[0].isAssignableFrom(stateType)) {
                    return c;
                }
            }
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, module.getName() + " of " + file
                    + " declares @SharedState(" + stateType.getName() + ") but has no public constructor taking "
                    + stateType.getSimpleName());
        }
    }
}
