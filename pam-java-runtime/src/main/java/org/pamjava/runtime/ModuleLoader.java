package org.pamjava.runtime;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.pamjava.PamConstants;
import org.pamjava.PamHandle;
import org.pamjava.PamModule;

/**
 * Turns a PAM rule's MODULE argument into a fresh module instance (in a class loader of its own,
 * or in the module's shared one, see {@link #load}): a {@code .java} file (compiled at first use,
 * classes cached by a hash of the source and of what it was compiled against) or a {@code .jar}
 * (manifest {@code Pam-Module-Class}, {@code Class-Path} honoured). A relative MODULE is relative
 * to the directory that holds {@code pam_java.so}. Class paths (the configured one, a jar's) are
 * checked as {@link ClassPathResolver} says before anything reads them.
 */
public final class ModuleLoader {
    /** The manifest attribute naming a jar module's class. */
    public static final String MODULE_CLASS_ATTRIBUTE = "Pam-Module-Class";

    private final Path moduleDir;
    private final List<URL> extraClassPath;
    private final List<Path> extraClassPathFiles;
    private final Path cacheDir;
    private final Diagnostics setupLog;
    /** What only .java modules need, made at the first one: jar modules skip ~1.4 ms of a cold start. */
    private boolean diskCacheOpened;
    private CompiledClassCache diskCache;
    private Path apiJar;
    private final ClassPathResolver classPaths = new ClassPathResolver();
    private final Map<String, CompiledModule> compiled = new ConcurrentHashMap<>();
    private final Map<Path, ModuleCode> modules = new ConcurrentHashMap<>();
    /** The states of the modules declaring {@link org.pamjava.SharedState} that {@link #load(String, Diagnostics)} uses. */
    private final SharedStates sharedStates;
    /**
     * Whether files are judged as a root process judges them, whatever this process's uid
     * ({@link #forChecking}): false, as root only.
     */
    private final boolean judgedAsRoot;

    /**
     * A loader with shared states of its own, which nothing closes at the JVM's exit.
     *
     * @param moduleDir the directory relative MODULE paths are resolved against
     * @param cacheDir where compiled {@code .java} modules are kept, or {@code null} for none
     * @param extraClassPath jars (and, not running as root, directories) every module sees (the configuration's class_path)
     */
    public ModuleLoader(Path moduleDir, Path cacheDir, List<Path> extraClassPath, Diagnostics log) {
        this(moduleDir, cacheDir, extraClassPath, log, new SharedStates(log, false));
    }

    /**
     * A loader whose modules declaring {@link org.pamjava.SharedState} keep their state in
     * {@code sharedStates} (one per process in-process, one for the resident service, whatever
     * its loaders).
     */
    public ModuleLoader(Path moduleDir, Path cacheDir, List<Path> extraClassPath, Diagnostics log,
                        SharedStates sharedStates) {
        this(moduleDir, cacheDir, extraClassPath, log, sharedStates, false);
    }

    private ModuleLoader(Path moduleDir, Path cacheDir, List<Path> extraClassPath, Diagnostics log,
                         SharedStates sharedStates, boolean judgedAsRoot) {
        this.judgedAsRoot = judgedAsRoot;
        this.sharedStates = sharedStates;
        this.moduleDir = moduleDir;
        List<URL> urls = new ArrayList<>();
        for (Path p : extraClassPath) {
            urls.add(url(p));
        }
        this.extraClassPath = List.copyOf(urls);
        this.extraClassPathFiles = List.copyOf(extraClassPath);
        this.cacheDir = cacheDir;
        this.setupLog = log;
    }

    /**
     * A loader for {@link #verify} only, which judges every file as root's pam_java.so does
     * whoever runs it ({@code pam-java check} run by an administrator's own account says what root
     * will refuse), and compiles {@code .java} modules in memory (no cache is read or written).
     */
    public static ModuleLoader forChecking(Path moduleDir, List<Path> extraClassPath, Diagnostics log) {
        return new ModuleLoader(moduleDir, null, extraClassPath, log, new SharedStates(log, false), true);
    }

    /** The compiled-class cache, or null without a usable cache directory. */
    private synchronized CompiledClassCache diskCache() {
        if (!diskCacheOpened) {
            diskCacheOpened = true;
            diskCache = cacheDir == null ? null : CompiledClassCache.open(cacheDir, setupLog);
        }
        return diskCache;
    }

    /** What a .java module compiles against: the API jar, then the configured class path as resolved. */
    private synchronized List<Path> compileClassPath(ClassPathResolver.Resolved extra) {
        if (apiJar == null) {
            apiJar = apiLocation();
        }
        List<Path> cp = new ArrayList<>();
        cp.add(apiJar);
        cp.addAll(extra.entries());
        return cp;
    }

    /**
     * A new instance of the module that {@code moduleArg} names. Its class is defined in a class
     * loader of its own, unless none of the module's classes has state of its own (see
     * {@link StaticState}) and the module brings no other jars: then every handle's instance comes
     * from one shared class loader per version of the file, which ordinary code cannot tell apart,
     * and a handle skips defining the classes again (~100 µs, and metaspace until class unloading).
     * A module declaring {@link org.pamjava.SharedState} is loaded as
     * {@link #load(String, Diagnostics, SharedStates)} says, in this loader's shared states.
     */
    public PamModule load(String moduleArg, Diagnostics log) throws ModuleLoadException {
        return load(moduleArg, log, sharedStates);
    }

    /**
     * {@link #load(String, Diagnostics)}, with the states of modules declaring
     * {@link org.pamjava.SharedState} kept in {@code scope}: one class loader per version of the
     * file there (whatever static state the classes have, the dependency jars and the configured
     * class path included), one state per version, created at its first handle, and an instance
     * made with the module's public constructor taking the state. The annotation is all it takes,
     * for a jar as for a {@code .java} file (no manifest attribute).
     */
    public PamModule load(String moduleArg, Diagnostics log, SharedStates scope) throws ModuleLoadException {
        Path file = moduleDir.resolve(moduleArg);
        boolean source = isSource(file);
        ModuleCode code = code(file, log);
        if (SharedStates.mayDeclare(code.classes.get(code.className))) {
            PamModule shared = scope.instance(file.toAbsolutePath().normalize(), code.versionKey(), code.className,
                    new SharedStateLoaders(this, file, !source, code));
            if (shared != null) {
                return shared;
            }
        } else {
            scope.notShared(file);
        }
        if (code.shareable && extraClassPath.isEmpty()) {
            return instantiate(file, code.sharedConstructor(this, file, !source));
        }
        Class<?> type = loadClass(file, newLoader(file, !source, code, true), code.className);
        return instantiate(file, constructorOf(file, type));
    }

    /**
     * Checks that pam_java would load the module {@code moduleArg} names, as {@link #load} does,
     * without running any of its code: the file (type, ownership and modes along its path), the
     * configured class path and a jar's {@code Class-Path}, the compilation of a {@code .java}
     * file, the module class (found, a PamModule, the constructor pam_java calls, a declared
     * {@link org.pamjava.SharedState}'s class, its annotation read from the class file). Classes
     * are loaded but not initialised, and no constructor runs. Throws what {@link #load} would, with the same message.
     */
    public void verify(String moduleArg, Diagnostics log) throws ModuleLoadException {
        Path file = moduleDir.resolve(moduleArg);
        ModuleCode code = code(file, log);
        ModuleClassLoader loader = newLoader(file, !isSource(file), code, true);
        try {
            Class<?> type = loadClass(file, loader, code.className);
            if (!SharedStates.checkDeclaration(file, type, classFile(loader, code))) {
                constructorOf(file, type);
            }
        } finally {
            try {
                loader.close();
            } catch (IOException e) {
                // released at GC then
            }
        }
    }

    /**
     * The bytes of the module class: read from the file, or (a class a Class-Path jar or a
     * versioned entry holds) as the module's loader finds them.
     */
    private static byte[] classFile(ModuleClassLoader loader, ModuleCode code) throws ModuleLoadException {
        byte[] bytes = code.classes.get(code.className);
        if (bytes != null) {
            return bytes;
        }
        try (var in = loader.getResourceAsStream(code.className.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, "cannot read the class file of " + code.className);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR, "cannot read the class file of " + code.className + ": " + e, e);
        }
    }

    private static boolean isSource(Path file) {
        return file.getFileName() != null && file.getFileName().toString().endsWith(".java");
    }

    /** The module file's code, read (or compiled) once per version, after every check of its files. */
    private ModuleCode code(Path file, Diagnostics log) throws ModuleLoadException {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        boolean source = name.endsWith(".java");
        if (!source && !name.endsWith(".jar")) {
            throw new ModuleLoadException(PamConstants.PAM_OPEN_ERR,
                    "cannot open " + file + ": a Java module must be a .java or .jar file");
        }
        checkModuleFile(file);
        Map<String, Object> identity = identity(file);
        // Checked before anything reads it, the compiler included: javac inlines its constants.
        ClassPathResolver.Resolved extra = classPaths.resolve(extraClassPathFiles, "class_path entry", judgedAsRoot);
        ModuleCode code = modules.get(file);
        if (source) {
            List<Path> compileClassPath = compileClassPath(extra);
            // Everything the compiler reads besides the source: classes compiled against other
            // versions of these files are not reused, in this process or from the disk cache.
            String compiledAgainst = ClassPathResolver.identityOf(compileClassPath.get(0)) + "\n" + extra.identity();
            if (code == null || !code.identity.equals(identity) || !code.compiledAgainst.equals(compiledAgainst)) {
                code = readSource(file, identity, compileClassPath, compiledAgainst, log);
                modules.put(file, code);
            }
        } else {
            if (code == null || !code.identity.equals(identity)) {
                code = readJar(file, identity);
                modules.put(file, code);
            }
            classPaths.resolve(code.dependencies, "Class-Path entry of " + file, judgedAsRoot);
        }
        return code;
    }

    /** A class loader for the module's classes, its dependency jars and the configured class path. */
    private ModuleClassLoader newLoader(Path file, boolean jar, ModuleCode code, boolean perHandle) {
        return new ModuleClassLoader(name(file), code.classes, url(file), loaderUrls(file, jar, code), perHandle);
    }

    /** A module loader's class path: the module's jar, its dependency jars, the configured class path. */
    private URL[] loaderUrls(Path file, boolean jar, ModuleCode code) {
        List<URL> urls = new ArrayList<>();
        if (jar) {
            urls.add(url(file)); // for the jar's resources; its classes come from the bytes read
        }
        for (Path dependency : code.dependencies) {
            urls.add(url(dependency));
        }
        urls.addAll(extraClassPath);
        return urls.toArray(new URL[0]);
    }

    /**
     * Makes the loader of one version of a module declaring shared state, for all its handles in
     * one scope (a record rather than a lambda: no invokedynamic on the call path).
     */
    private record SharedStateLoaders(ModuleLoader loader, Path file, boolean jar, ModuleCode code)
            implements SharedStates.LoaderFactory {
        @Override
        public ModuleClassLoader newLoader(SharedStates.Version owner) {
            return new ModuleClassLoader(name(file), code.classes, url(file), loader.loaderUrls(file, jar, code), owner);
        }
    }

    /** The shared states that {@link #load(String, Diagnostics)} keeps. */
    public SharedStates sharedStates() {
        return sharedStates;
    }

    /**
     * Gives back what {@code module}'s instance held, after its {@code end}, exactly once per
     * instance: a loader of its own is closed (its open jars and their native buffers released now
     * rather than at some later GC); an instance of a module with shared state is counted out, and
     * the state of a version the file no longer has is closed with its last instance.
     */
    public static void release(PamModule module) throws IOException {
        if (module.getClass().getClassLoader() instanceof ModuleClassLoader loader) {
            if (loader.perHandle()) {
                loader.close();
            } else if (loader.sharedVersion() != null) {
                loader.sharedVersion().ended();
            }
        }
    }

    /**
     * The module, or, when it cannot be loaded, a stand-in whose every operation returns the
     * loader's code ({@code PAM_OPEN_ERR} or {@code PAM_SERVICE_ERR}) as pam_java.so's calls do,
     * with the reason logged. For the Java engine's users (test kit, pam-java simulate).
     */
    public PamModule loadOrStandIn(String moduleArg, Diagnostics log) {
        return loadOrStandIn(moduleArg, log, sharedStates);
    }

    /** {@link #loadOrStandIn(String, Diagnostics)} with shared states kept in {@code scope} (a test kit's stack). */
    public PamModule loadOrStandIn(String moduleArg, Diagnostics log, SharedStates scope) {
        try {
            return load(moduleArg, log, scope);
        } catch (ModuleLoadException e) {
            log.log(Diagnostics.LOG_ERR, e.getMessage());
            return new FailedModule(e.pamCode());
        }
    }

    /** What stands for a module that could not be loaded: every operation fails with one code. */
    private record FailedModule(int code) implements PamModule {
        @Override public int authenticate(PamHandle pamh, int flags, List<String> args) { return code; }
        @Override public int setcred(PamHandle pamh, int flags, List<String> args) { return code; }
        @Override public int acctMgmt(PamHandle pamh, int flags, List<String> args) { return code; }
        @Override public int openSession(PamHandle pamh, int flags, List<String> args) { return code; }
        @Override public int closeSession(PamHandle pamh, int flags, List<String> args) { return code; }
        @Override public int chauthtok(PamHandle pamh, int flags, List<String> args) { return code; }
    }

    /** What a module file holds, read once per version of the file (its identity). */
    private static final class ModuleCode {
        final Map<String, Object> identity;
        /** For a .java module, the identity of the class path it was compiled against; else empty. */
        final String compiledAgainst;
        final String className;
        final Map<String, byte[]> classes;
        final List<Path> dependencies;
        /** Whether handles may share one class loader: no class can hold static state, no other jars. */
        final boolean shareable;
        private Constructor<?> shared;

        /** What tells this version of the file from another: its identity and what it was compiled against. */
        Object versionKey() {
            return List.of(identity, compiledAgainst);
        }

        /**
         * @param otherClasses whether the file holds classes beyond {@code classes} that a loader
         *                     might define (a multi-release jar's versioned ones): then never shared
         */
        ModuleCode(Map<String, Object> identity, String compiledAgainst, String className,
                   Map<String, byte[]> classes, List<Path> dependencies, boolean otherClasses) {
            this.identity = identity;
            this.compiledAgainst = compiledAgainst;
            this.className = className;
            this.classes = classes;
            this.dependencies = dependencies;
            this.shareable = dependencies.isEmpty() && !otherClasses && noStaticState(classes.values());
        }

        private static boolean noStaticState(Iterable<byte[]> classFiles) {
            for (byte[] classFile : classFiles) {
                if (StaticState.possible(classFile)) {
                    return false;
                }
            }
            return true;
        }

        /** The constructor all handles of a shareable module use, its class defined at the first one. */
        synchronized Constructor<?> sharedConstructor(ModuleLoader loader, Path file, boolean jar)
                throws ModuleLoadException {
            if (shared == null) {
                shared = constructorOf(file, loadClass(file, loader.newLoader(file, jar, this, false), className));
            }
            return shared;
        }
    }

    private ModuleCode readSource(Path file, Map<String, Object> identity, List<Path> compileClassPath,
                                  String compiledAgainst, Diagnostics log) throws ModuleLoadException {
        byte[] source;
        try {
            source = readFile(file);
        } catch (IOException e) {
            throw new ModuleLoadException(PamConstants.PAM_OPEN_ERR, "cannot read " + file + ": " + e, e);
        }
        String key = cacheKey(source, compiledAgainst);
        CompiledModule module = compiled.get(key);
        CompiledClassCache diskCache = diskCache();
        if (module == null && diskCache != null) {
            module = diskCache.read(key, log);
        }
        if (module == null) {
            long started = System.nanoTime();
            module = new JavaSourceCompiler(compileClassPath).compile(file, source);
            log.log(Diagnostics.LOG_INFO, "compiled " + file + " in " + (System.nanoTime() - started) / 1_000_000
                    + " ms" + (diskCache == null ? "" : "; cached as " + key));
            if (diskCache != null) {
                diskCache.write(key, module, log);
            }
        }
        compiled.putIfAbsent(key, module);
        return new ModuleCode(identity, compiledAgainst, module.mainClass(), module.classes(), List.of(), false);
    }

    /** The file's identity (device, inode, size, times): a changed or replaced jar is read again. */
    private static Map<String, Object> identity(Path file) throws ModuleLoadException {
        try {
            return Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
        } catch (IOException e) {
            throw new ModuleLoadException(PamConstants.PAM_OPEN_ERR, "cannot open " + file + ": " + e, e);
        }
    }

    private static ModuleCode readJar(Path file, Map<String, Object> identity) throws ModuleLoadException {
        try (JarFile jar = new JarFile(file.toFile(), false)) { // trust is ownership; signatures are not checked
            Manifest manifest = jar.getManifest();
            Attributes main = manifest == null ? null : manifest.getMainAttributes();
            String className = main == null ? null : main.getValue(MODULE_CLASS_ATTRIBUTE);
            if (className == null || className.isBlank()) {
                throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                        file + " has no " + MODULE_CLASS_ATTRIBUTE + " attribute in its manifest");
            }
            List<Path> dependencies = new ArrayList<>();
            String classPath = main.getValue(Attributes.Name.CLASS_PATH);
            if (classPath != null) {
                URL base = url(file.getParent());
                for (String entry : classPath.trim().split("\\s+")) {
                    if (!entry.isEmpty()) {
                        URL dependency = new URL(base, entry);
                        if (!dependency.getProtocol().equals("file")) {
                            throw new ModuleLoadException(PamConstants.PAM_OPEN_ERR,
                                    "refusing " + file + ": Class-Path entry " + entry + " is not a local file");
                        }
                        dependencies.add(Path.of(dependency.toURI()));
                    }
                }
            }
            Map<String, byte[]> classes = new HashMap<>();
            boolean versionedClasses = false;
            for (var entries = jar.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.endsWith(".class") && name.startsWith("META-INF/versions/")) {
                    versionedClasses = true; // found through the class path, not read here
                } else if (name.endsWith(".class") && !name.startsWith("META-INF/")
                        && !name.equals("module-info.class")) {
                    try (var in = jar.getInputStream(entry)) {
                        classes.put(name.substring(0, name.length() - 6).replace('/', '.'), in.readAllBytes());
                    }
                }
            }
            return new ModuleCode(identity, "", className.trim(), Map.copyOf(classes), List.copyOf(dependencies),
                    versionedClasses);
        } catch (IOException | URISyntaxException e) {
            throw new ModuleLoadException(PamConstants.PAM_OPEN_ERR, "cannot open " + file + " as a jar: " + e, e);
        }
    }

    private static Class<?> loadClass(Path file, ClassLoader loader, String className) throws ModuleLoadException {
        try {
            return Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                    "cannot load class " + className + " of " + file + ": " + e, e);
        }
    }

    /** The public no-argument constructor of a class that implements PamModule. */
    private static Constructor<?> constructorOf(Path file, Class<?> type) throws ModuleLoadException {
        if (!PamModule.class.isAssignableFrom(type)) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                    type.getName() + " of " + file + " does not implement org.pamjava.PamModule");
        }
        // Checked here, not left to newInstance: pam-java check, which creates nothing, says it too.
        int modifiers = type.getModifiers();
        if (!java.lang.reflect.Modifier.isPublic(modifiers) || java.lang.reflect.Modifier.isAbstract(modifiers)
                || type.isInterface() || type.isMemberClass() && !java.lang.reflect.Modifier.isStatic(modifiers)) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                    type.getName() + " of " + file + " must be a public concrete class (a nested one static)");
        }
        try {
            return type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                    type.getName() + " of " + file + " has no public no-argument constructor", e);
        } catch (LinkageError e) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                    "cannot create " + type.getName() + " of " + file + ": " + e, e);
        }
    }

    private static PamModule instantiate(Path file, Constructor<?> constructor) throws ModuleLoadException {
        String type = constructor.getDeclaringClass().getName();
        try {
            return (PamModule) constructor.newInstance();
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                    "the constructor of " + type + " threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new ModuleLoadException(PamConstants.PAM_SERVICE_ERR,
                    "cannot create " + type + " of " + file + ": " + e, e);
        }
    }

    /** As root, refuses code from a file others could have written (docs/security.md#threat-6-ownership). */
    private void trusted(Path file, String what) throws ModuleLoadException {
        String problem = judgedAsRoot ? TrustedPaths.problem(file, 0) : TrustedPaths.problem(file);
        if (problem != null) {
            throw new ModuleLoadException(PamConstants.PAM_OPEN_ERR, "refusing " + what + " " + file + ": " + problem);
        }
    }

    /**
     * The bytes of a file, through FileInputStream: Files.readAllBytes would bring up NIO's
     * FileChannel machinery, tens of classes a cold PAM call otherwise never needs.
     */
    static byte[] readFile(Path file) throws IOException {
        try (var in = new java.io.FileInputStream(file.toFile())) {
            return in.readAllBytes();
        }
    }

    private void checkModuleFile(Path file) throws ModuleLoadException {
        if (!Files.isRegularFile(file)) {
            // neither exists nor not: stat(2) said EACCES, a directory on the way is not searchable
            throw new ModuleLoadException(PamConstants.PAM_OPEN_ERR, "cannot open " + file + ": "
                    + (Files.exists(file) ? "not a regular file" : Files.notExists(file) ? "no such file"
                    : "Permission denied (a directory on its path is not searchable)"));
        }
        trusted(file, "module");
        // No Files.isReadable: access(2) answers for the real uid, which in a setuid host (su run
        // by a user) is the user, not the effective uid that reads. A file this process cannot
        // read fails where it is read (PAM_OPEN_ERR too); making it unreadable changes its
        // ctime, so a copy in memory is not used after that either.
    }

    /**
     * SHA-256 of the source, the JDK version, the API version and the identity of every file on the
     * compiler's class path: classes compiled elsewhere, or against other versions of those files
     * (whose constants javac inlines), are not reused.
     */
    private static String cacheKey(byte[] source, String compiledAgainst) {
        // java.runtime.version, not Runtime.version(): its toString() starts the streams machinery.
        byte[] suffix = ("\0" + System.getProperty("java.runtime.version") + "\0" + apiVersion() + "\0"
                + compiledAgainst).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] keyed = java.util.Arrays.copyOf(source, source.length + suffix.length);
        System.arraycopy(suffix, 0, keyed, source.length, suffix.length);
        return HexFormat.of().formatHex(Sha256.digest(keyed));
    }

    private static String apiVersion() {
        String v = PamModule.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    private static Path apiLocation() {
        try {
            return Path.of(PamModule.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the pam-java-api classes", e);
        }
    }

    private static String name(Path file) {
        return LOADER_NAME_PREFIX + file;
    }

    /** How a module's class loader is named: this, then the module file's path. */
    private static final String LOADER_NAME_PREFIX = "pam-java-module:";

    /** The module file whose class loader {@code loader} is, or null when it is no module's. */
    public static String moduleOf(ClassLoader loader) {
        String name = loader instanceof ModuleClassLoader ? loader.getName() : null;
        return name != null && name.startsWith(LOADER_NAME_PREFIX) ? name.substring(LOADER_NAME_PREFIX.length()) : null;
    }

    private static URL url(Path p) {
        try {
            return p.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("bad class path entry " + p, e);
        }
    }

}
