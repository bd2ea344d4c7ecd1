/* jvm.c: finds or creates the process's one JVM, loads the Java bridge, and calls into it. */
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/resource.h>

#include "pam_java.h"

#ifndef PJ_RUNTIME_DIR
#error "PJ_RUNTIME_DIR must be defined by the build"
#endif
#ifndef PJ_LIBPAM_VERSION
#error "PJ_LIBPAM_VERSION must be defined by the build"
#endif

#define BRIDGE_ENTRY "org/pamjava/host/NativeEntry"
#define BRIDGE_ENTRY_DOTS "org.pamjava.host.NativeEntry"
#define BRIDGE_NATIVES_DOTS "org.pamjava.host.HostNatives"
#define MAX_JVM_OPTIONS 64

extern struct pj_config pj_config;
extern char pj_module_dir[PATH_MAX];

typedef jint (*create_vm_fn)(JavaVM **, void **, void *);
typedef jint (*created_vms_fn)(JavaVM **, jsize, jsize *);

/*
 * Initialisation is a state machine guarded by jvm_lock: tried once per process; a failure is
 * sticky (a JVM cannot be created twice in one process) and later calls fail fast.
 */
static pthread_mutex_t jvm_lock = PTHREAD_MUTEX_INITIALIZER;
static enum { JVM_UNTRIED, JVM_READY, JVM_FAILED } jvm_state;
static JavaVM *jvm;
static int jvm_created_here;
static pid_t jvm_pid;
static jclass entry_class;
static jmethodID entry_call, entry_end;

/*
 * Whether the process's JVM is the host's own (a Java application calling PAM): then its
 * environment is the application's business. Set before pam_java loads libjvm.so itself, so a
 * libjvm.so seen loaded while the origin is still unknown is the host's.
 */
static enum { JVM_ORIGIN_UNKNOWN, JVM_OURS, JVM_HOSTS } jvm_origin;
static int find_libjvm(struct dl_phdr_info *info, size_t size, void *data);

int pj_jvm_is_hosts(void)
{
    char path[PATH_MAX];
    int origin = __atomic_load_n(&jvm_origin, __ATOMIC_ACQUIRE);
    if (origin != JVM_ORIGIN_UNKNOWN)
        return origin == JVM_HOSTS;
    int loaded = dl_iterate_phdr(find_libjvm, path) != 0;
    origin = __atomic_load_n(&jvm_origin, __ATOMIC_ACQUIRE);
    return origin == JVM_ORIGIN_UNKNOWN ? loaded : origin == JVM_HOSTS;
}

pid_t pj_jvm_owner_pid(void)
{
    return __atomic_load_n(&jvm_pid, __ATOMIC_ACQUIRE);
}

int pj_jvm_initialized(void)
{
    return jvm_created_here;
}

/* dl_iterate_phdr callback: the path of a loaded libjvm.so, if any. */
static int find_libjvm(struct dl_phdr_info *info, size_t size, void *data)
{
    const char *name = info->dlpi_name, *slash;
    (void)size;
    if (name == NULL || name[0] == '\0')
        return 0;
    slash = strrchr(name, '/');
    if (strcmp(slash != NULL ? slash + 1 : name, "libjvm.so") != 0)
        return 0;
    snprintf(data, PATH_MAX, "%s", name);
    return 1;
}

/*
 * A process that already runs Java (a Java application calling libpam) keeps its own JVM. The
 * loaded objects are looked at first: dlopen("libjvm.so", RTLD_NOLOAD) alone would search the
 * whole library path (some forty failed opens) in every process that has no JVM.
 */
static JavaVM *existing_jvm(void)
{
    char path[PATH_MAX] = "";
    JavaVM *vm = NULL;
    jsize count = 0;

    if (dl_iterate_phdr(find_libjvm, path) == 0)
        return NULL;
    void *lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (lib == NULL)
        return NULL;
    created_vms_fn created = (created_vms_fn)dlsym(lib, "JNI_GetCreatedJavaVMs");
    if (created == NULL || created(&vm, 1, &count) != JNI_OK || count < 1)
        vm = NULL;
    dlclose(lib);
    return vm;
}

/* The system's time zone, from the /etc/localtime link (Debian), else /etc/timezone, else UTC. */
static void system_time_zone(char *zone, size_t size)
{
    char link[PATH_MAX];
    ssize_t n = readlink("/etc/localtime", link, sizeof(link) - 1);
    if (n > 0) {
        link[n] = '\0';
        char *id = strstr(link, "zoneinfo/");
        if (id != NULL && strlen(id + 9) < size) {
            strcpy(zone, id + 9);
            return;
        }
    }
    FILE *f = fopen("/etc/timezone", "re");
    if (f != NULL) {
        if (fgets(zone, (int)size, f) != NULL) {
            zone[strcspn(zone, " \t\n")] = '\0';
            fclose(f);
            if (zone[0] != '\0')
                return;
        } else {
            fclose(f);
        }
    }
    snprintf(zone, size, "UTC");
}

/* As root, the JVM and pam_java's own jars must be root's alone, like modules (DESIGN.md 4). */
static int runtime_is_trusted(const char *libjvm)
{
    char path[PATH_MAX];
    if (libjvm != NULL && !pj_path_is_trusted(NULL, libjvm))
        return 0;
    const char *files[] = { "pam-java-api.jar", "pam-java-runtime.jar", "pam-java-host.jar", "pam-java.aot" };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", PJ_RUNTIME_DIR, files[i]);
        if ((i < 3 || faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) == 0) && !pj_path_is_trusted(NULL, path))
            return 0;
    }
    return 1;
}

static int add_option(JavaVMOption *opts, int *n, char *text, void *extra)
{
    if (text == NULL || *n >= MAX_JVM_OPTIONS)
        return 0;
    opts[*n].optionString = text;
    opts[*n].extraInfo = extra;
    (*n)++;
    return 1;
}

static char *format(const char *fmt, const char *a, const char *b)
{
    char *s = NULL;
    if (asprintf(&s, fmt, a, b) < 0)
        return NULL;
    return s;
}

/*
 * HotSpot needs its handlers for the synchronous signals it raises itself (SIGSEGV for null
 * checks and safepoints, SIGBUS, SIGILL, SIGFPE) and for its suspend/resume signal (SIGUSR2).
 * Every other disposition it sets at creation (SIGPIPE, SIGXFSZ, ...) goes back to the host's:
 * the threads Java runs on block those signals, so Java sees EPIPE/EFBIG instead.
 */
static int jvm_owns_signal(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGUSR2;
}

static struct sigaction host_actions[NSIG];
static struct sigaction jvm_actions[NSIG];
/* The host's locale while the JVM starts (HotSpot calls setlocale(LC_ALL, "")). */
static char *host_locale;
/* This thread is starting the JVM: a hook that parks it must give the host back what the start took. */
static __thread int starting_jvm;

static void save_host_signals(void)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (sigaction(sig, NULL, &host_actions[sig]) != 0)
            host_actions[sig].sa_handler = SIG_ERR;
}

static void restore_host_signals(void)
{
    struct sigaction now;

    for (int sig = 1; sig < NSIG; sig++) {
        if (jvm_owns_signal(sig) || host_actions[sig].sa_handler == SIG_ERR || sigaction(sig, NULL, &now) != 0)
            continue;
        if (now.sa_handler != host_actions[sig].sa_handler || now.sa_flags != host_actions[sig].sa_flags)
            sigaction(sig, &host_actions[sig], NULL);
    }
}

/* What a failed start gives every call of the process: PAM_BUF_ERR when the caller's resource
 * limits leave the JVM too little memory (startup.c), else PAM_SERVICE_ERR. */
static int jvm_failure = PAM_SERVICE_ERR;

int pj_jvm_failure_code(void)
{
    return __atomic_load_n(&jvm_failure, __ATOMIC_ACQUIRE);
}

/*
 * The signals HotSpot owns are raised by faults, but a user may send them to their own setuid
 * host, with a siginfo of their choosing (rt_tgsigqueueinfo): HotSpot would read a forged fault
 * address 0 as an implicit null check and throw a NullPointerException into whatever module code
 * runs, or treat it as a crash. A signal another process sent (si_code <= 0: SI_USER, SI_QUEUE,
 * SI_TKILL, ...) gets what the host would have done without pam_java; only faults reach HotSpot.
 */
static void filter_sent_signals(int sig, siginfo_t *info, void *context)
{
    if (info == NULL || info->si_code > 0) {
        if (jvm_actions[sig].sa_flags & SA_SIGINFO)
            jvm_actions[sig].sa_sigaction(sig, info, context);
        else if (jvm_actions[sig].sa_handler != SIG_DFL && jvm_actions[sig].sa_handler != SIG_IGN)
            jvm_actions[sig].sa_handler(sig);
        return;
    }
    const struct sigaction *host = &host_actions[sig];
    if ((host->sa_flags & SA_SIGINFO) && host->sa_sigaction != NULL) {
        host->sa_sigaction(sig, info, context);
    } else if (host->sa_handler == SIG_IGN) {
        return;
    } else if (host->sa_handler != SIG_DFL && host->sa_handler != SIG_ERR) {
        host->sa_handler(sig);
    } else {
        /* The default action, as without pam_java: delivered once this handler returns. */
        signal(sig, SIG_DFL);
        raise(sig);
    }
}

static void filter_signals_sent_to_the_jvm(void)
{
    const int owned[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
        int sig = owned[i];
        struct sigaction filter;
        if (sigaction(sig, NULL, &jvm_actions[sig]) != 0 || !(jvm_actions[sig].sa_flags & SA_SIGINFO)) {
            pj_log(NULL, LOG_WARNING, "signal %d: HotSpot's handler is not where pam_java expects it;"
                   " signals sent to the process reach the JVM unfiltered", sig);
            continue;
        }
        filter = jvm_actions[sig];
        filter.sa_sigaction = filter_sent_signals;
        sigaction(sig, &filter, NULL);
    }
}

/* From the exit or abort hook, on a thread that was starting the JVM: it will never finish, so
 * the host gets back its signals, locale and environment now. */
void pj_jvm_start_abandoned(void)
{
    if (!starting_jvm)
        return;
    starting_jvm = 0;
    restore_host_signals();
    if (host_locale != NULL)
        setlocale(LC_ALL, host_locale);
    pj_environment_end_jvm_start();
}

/* The calling thread is attached to the JVM pam_java created (a worker, a module's own thread, one
 * of the JVM's Java threads). */
int pj_jvm_thread_is_java(void)
{
    JNIEnv *env;
    return jvm != NULL && jvm_created_here && (*jvm)->GetEnv(jvm, (void **)&env, JNI_VERSION_1_8) == JNI_OK;
}

static int create_jvm(JNIEnv **env)
{
    JavaVMOption opts[MAX_JVM_OPTIONS];
    char *owned[MAX_JVM_OPTIONS];
    char *user_options = NULL;
    int n = 0, n_owned = 0, ok = 1;
    jint rc = JNI_ERR;
    char aot_path[PATH_MAX];
    int aot_cache_used = 0;

    /* Before anything of the JVM exists: its temporary, home and error-file directory, and a JDK
     * with all a start opens (startup.c). */
    if (!pj_cache_dir_ready(NULL, pj_config.cache_dir) || !pj_jdk_layout_ready(pj_config.java_home))
        return -1;
    char *lib_path = format("%s/lib/server/libjvm.so%s", pj_config.java_home, "");
    if (lib_path == NULL)
        pj_log(NULL, LOG_ERR, "out of memory before starting the JVM");
    if (lib_path == NULL || !runtime_is_trusted(lib_path)) {
        free(lib_path);
        return -1;
    }

#define OWN(expr) (owned[n_owned] = (expr), owned[n_owned] != NULL ? owned[n_owned++] : NULL)
    /* The hooks first: HotSpot takes options in order, and what it prints about a later one (an
     * option a newer JDK no longer knows: "Unrecognized VM option") then goes through vfprintf
     * into syslog, not onto the host's terminal. */
    ok &= add_option(opts, &n, "vfprintf", (void *)pj_vfprintf_hook);
    ok &= add_option(opts, &n, "exit", (void *)pj_exit_hook);
    ok &= add_option(opts, &n, "abort", (void *)pj_abort_hook);
    /* The in-process class path: the module API, the runtime both hosts share, the JNI host. */
    char class_path[3 * PATH_MAX];
    snprintf(class_path, sizeof(class_path),
             "-Djava.class.path=%s/pam-java-api.jar:%s/pam-java-runtime.jar:%s/pam-java-host.jar",
             PJ_RUNTIME_DIR, PJ_RUNTIME_DIR, PJ_RUNTIME_DIR);
    ok &= add_option(opts, &n, class_path, NULL);
    ok &= add_option(opts, &n, OWN(format("-Djava.library.path=%s%s", PJ_RUNTIME_DIR, "")), NULL);
    ok &= add_option(opts, &n, OWN(format("-Duser.home=%s%s", pj_config.cache_dir, "")), NULL);
    /* A crash writes no report and no banner: HotSpot would print the banner on the host's stdout
     * (the user's terminal), copy the caller's environment into the report, and, if the report
     * file cannot be opened, fall back to the working directory and /tmp, following symlinks.
     * An administrator who turns reports back on (-XX:-SuppressFatalErrorMessage in jvm_options)
     * gets one file in the root-only cache directory, replaced by the next crash: never one per PID. */
    ok &= add_option(opts, &n, "-XX:+SuppressFatalErrorMessage", NULL);
    ok &= add_option(opts, &n, OWN(format("-XX:ErrorFile=%s/hs_err.log%s", pj_config.cache_dir, "")), NULL);
    ok &= add_option(opts, &n, "-XX:-DumpReplayDataOnError", NULL);
    /* An explicit (empty) compile-command file: HotSpot then does not look for .hotspot_compiler in
     * the working directory (and warns on the terminal when it finds one). */
    ok &= add_option(opts, &n, "-XX:CompileCommandFile=/dev/null", NULL);
    /* -Xrs: the host keeps SIGINT, SIGTERM, SIGHUP and SIGQUIT. With -Xrs the attach listener
     * would start eagerly, hence -XX:+DisableAttachMechanism. */
    ok &= add_option(opts, &n, "-Xrs", NULL);
    ok &= add_option(opts, &n, "-XX:+DisableAttachMechanism", NULL);
    ok &= add_option(opts, &n, "-XX:-UsePerfData", NULL);
    /* No core file with the heap (and whatever secrets it holds) in the host's directory. */
    ok &= add_option(opts, &n, "-XX:-CreateCoredumpOnCrash", NULL);
    /* An explicit (empty) flags file: HotSpot then ignores a .hotspotrc in the current directory. */
    ok &= add_option(opts, &n, "-XX:Flags=/dev/null", NULL);
    ok &= add_option(opts, &n, OWN(format("-Djava.io.tmpdir=%s%s", pj_config.cache_dir, "")), NULL);
    char zone[128];
    system_time_zone(zone, sizeof(zone));
    ok &= add_option(opts, &n, OWN(format("-Duser.timezone=%s%s", zone, "")), NULL);
    /* Start-up budget: one GC thread, the C1 compiler only, a small heap. */
    ok &= add_option(opts, &n, "-XX:+UseSerialGC", NULL);
    ok &= add_option(opts, &n, "-XX:TieredStopAtLevel=1", NULL);
    ok &= add_option(opts, &n, "-Xmx96m", NULL);
    /* A 1 MiB young generation: a PAM call's garbage is short-lived, and a long-lived host's RSS
     * stops growing once that much has been touched (the default, a third of the heap, is 32 MB
     * of pages that the allocation churn of warm transactions would touch one by one). */
    ok &= add_option(opts, &n, "-Xmn1m", NULL);
    /* A module with static state defines its classes in a loader per PAM handle; a low metaspace
     * threshold lets the serial GC unload the dead ones early, so a long-lived host stays flat. */
    ok &= add_option(opts, &n, "-XX:MetaspaceSize=8m", NULL);
    /* HotSpot reserves 1 GiB of compressed class space by default, which alone failed starts
     * under `ulimit -v` of 1.5 GB. Measured use: 1.4 MB after javac compiled an 800-class module
     * and the module ran (2.2 MB without the AOT cache); 64 MiB leaves some 30 times that for the
     * loaders of long-lived hosts (the per-handle loaders of modules with static state). */
    ok &= add_option(opts, &n, "-XX:CompressedClassSpaceSize=64m", NULL);
    /* HotSpot raises the soft open-file limit to the hard one by default (256 became 20000): the
     * host's limit is the host's (select(2) users rely on FD_SETSIZE). */
    ok &= add_option(opts, &n, "-XX:-MaxFDLimit", NULL);
    /* The AOT cache's method profiles are for C2, which pam_java does not run; replaying them
     * only queues C1 compilations that compete with start-up for the CPU (~2-4 ms, measured).
     * A diagnostic flag a later JDK may drop: without it the JVM still starts (see below). */
    int speedup_at = n;
    ok &= add_option(opts, &n, "-XX:+UnlockDiagnosticVMOptions", NULL);
    ok &= add_option(opts, &n, "-XX:-AOTReplayTraining", NULL);
    /* Reflection (the module's constructor) without generating method-handle classes: ~5 ms. */
    ok &= add_option(opts, &n, "-Djdk.reflect.useNativeAccessorOnly=true", NULL);
    /* Unified logging writes to stdout; the host's terminal is not ours. Its stdout output goes
     * through the vfprintf hook (jio_fprintf), so the AOT cache's warnings and errors (a damaged
     * or stale cache, started without) are kept: they reach syslog, as "jvm: [...][aot] ...". */
    ok &= add_option(opts, &n, "-Xlog:disable", NULL);
    ok &= add_option(opts, &n, "-Xlog:aot=warning", NULL);
    /* The JDK prints these two warnings on its initial stderr, the host's terminal, whatever
     * System.err is: allow what they warn about instead. */
    ok &= add_option(opts, &n, "--enable-native-access=ALL-UNNAMED", NULL);
    ok &= add_option(opts, &n, "--sun-misc-unsafe-memory-access=allow", NULL);
    if ((size_t)snprintf(aot_path, sizeof(aot_path), "%s/pam-java.aot", PJ_RUNTIME_DIR) < sizeof(aot_path)
        && faccessat(AT_FDCWD, aot_path, R_OK, AT_EACCESS) == 0) {  /* the effective uid reads it (setuid hosts) */
        ok &= add_option(opts, &n, OWN(format("-XX:AOTCache=%s%s", aot_path, "")), NULL);
        /* HotSpot maps the cache and trusts its bytes: damaged ones crashed 12 starts in 40 (in
         * MethodCounters::restore_unshareable_info). With this flag it first checks each region
         * against the CRC the dump wrote into the header, and on a mismatch starts without the
         * cache ("Unable to map shared spaces", through the vfprintf hook into syslog). The check
         * costs some 15 ms of a cold start (a CRC over the 10 MB file). */
        ok &= add_option(opts, &n, "-XX:+VerifySharedSpaces", NULL);
        aot_cache_used = 1;
    }
    /* The administrator's options come last so they win. */
    if (pj_config.jvm_options[0] != '\0' && (user_options = strdup(pj_config.jvm_options)) != NULL) {
        char *save = NULL;
        for (char *t = strtok_r(user_options, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save)) {
            if (!pj_jvm_option_allowed(t))    /* logged */
                goto out;
            ok &= add_option(opts, &n, t, NULL);
        }
    }
#undef OWN
    if (!ok) {
        pj_log(NULL, LOG_ERR, "cannot build the JVM options (out of memory or too many jvm_options)");
        goto out;
    }
    /* The caller's resource limits are theirs to set (ulimit before su): one the JVM cannot start
     * under is refused before libjvm.so is loaded, against what these options reserve. */
    int limits = pj_limits_allow_jvm(opts, n, pj_config.java_home, aot_cache_used ? aot_path : NULL);
    if (limits != PAM_SUCCESS) {
        __atomic_store_n(&jvm_failure, limits, __ATOMIC_RELEASE);
        goto out;
    }
    void *lib = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        pj_log(NULL, LOG_ERR, "cannot load the JVM %s: %s", lib_path, dlerror());
        goto out;
    }
    create_vm_fn create = (create_vm_fn)dlsym(lib, "JNI_CreateJavaVM");
    if (create == NULL) {
        pj_log(NULL, LOG_ERR, "the JVM library has no JNI_CreateJavaVM");
        goto out;
    }
    if (pj_descriptors_before_jvm() != 0)    /* the host's descriptors, left alone later */
        goto out;

    JavaVMInitArgs args = { .version = JNI_VERSION_21, .nOptions = n, .options = opts,
                            .ignoreUnrecognized = JNI_FALSE };
    /* HotSpot calls setlocale(LC_ALL, "") and installs signal handlers: give the host its own back. */
    const char *locale_now = setlocale(LC_ALL, NULL);
    if (locale_now != NULL && (host_locale = strdup(locale_now)) == NULL)
        pj_log(NULL, LOG_WARNING, "out of memory: the host's locale cannot be restored after the JVM starts");
    save_host_signals();
    rc = create(&jvm, (void **)env, &args);
    if (rc == JNI_EINVAL) {
        /* HotSpot refuses options before it starts anything, and may then be asked again: a JDK
         * that does not know the start-up speed-up must not make every PAM call fail. */
        pj_log(NULL, LOG_WARNING, "the JVM refused its options; trying again without -XX:-AOTReplayTraining");
        memmove(&opts[speedup_at], &opts[speedup_at + 2], (size_t)(n - speedup_at - 2) * sizeof(opts[0]));
        args.nOptions = n - 2;
        rc = create(&jvm, (void **)env, &args);
    }
    restore_host_signals();
    if (host_locale != NULL) {
        setlocale(LC_ALL, host_locale);
        free(host_locale);
        host_locale = NULL;
    }
    if (rc != JNI_OK)
        pj_log(NULL, LOG_ERR, "JNI_CreateJavaVM failed (%d) with java_home %s", (int)rc, pj_config.java_home);
out:
    for (int i = 0; i < n_owned; i++)
        free(owned[i]);
    free(user_options);
    free(lib_path);
    return rc == JNI_OK ? 0 : -1;
}

/* In a JVM we did not create, the bridge gets a class loader of its own over the runtime jars. */
static jclass load_bridge_class(JNIEnv *env, jobject loader, const char *dotted)
{
    jclass loader_class = (*env)->FindClass(env, "java/lang/ClassLoader");
    jmethodID load_class = (*env)->GetMethodID(env, loader_class, "loadClass",
                                               "(Ljava/lang/String;)Ljava/lang/Class;");
    jstring name = (*env)->NewStringUTF(env, dotted);
    if (load_class == NULL || name == NULL)
        return NULL;
    return (jclass)(*env)->CallObjectMethod(env, loader, load_class, name);
}

static jobject new_bridge_loader(JNIEnv *env)
{
    const char *jars[] = { "pam-java-api.jar", "pam-java-runtime.jar", "pam-java-host.jar" };
    const int njars = (int)(sizeof(jars) / sizeof(jars[0]));
    jclass file_class = (*env)->FindClass(env, "java/io/File");
    jclass uri_class = (*env)->FindClass(env, "java/net/URI");
    jclass url_class = (*env)->FindClass(env, "java/net/URL");
    jclass ucl_class = (*env)->FindClass(env, "java/net/URLClassLoader");
    jclass cl_class = (*env)->FindClass(env, "java/lang/ClassLoader");
    if (!file_class || !uri_class || !url_class || !ucl_class || !cl_class)
        return NULL;
    jmethodID file_init = (*env)->GetMethodID(env, file_class, "<init>", "(Ljava/lang/String;)V");
    jmethodID to_uri = (*env)->GetMethodID(env, file_class, "toURI", "()Ljava/net/URI;");
    jmethodID to_url = (*env)->GetMethodID(env, uri_class, "toURL", "()Ljava/net/URL;");
    jmethodID ucl_init = (*env)->GetMethodID(env, ucl_class, "<init>", "([Ljava/net/URL;Ljava/lang/ClassLoader;)V");
    jmethodID platform = (*env)->GetStaticMethodID(env, cl_class, "getPlatformClassLoader",
                                                   "()Ljava/lang/ClassLoader;");
    jobjectArray urls = (*env)->NewObjectArray(env, njars, url_class, NULL);
    if (!file_init || !to_uri || !to_url || !ucl_init || !platform || !urls)
        return NULL;
    for (int i = 0; i < njars; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", PJ_RUNTIME_DIR, jars[i]);
        jobject file = (*env)->NewObject(env, file_class, file_init, (*env)->NewStringUTF(env, path));
        jobject uri = file ? (*env)->CallObjectMethod(env, file, to_uri) : NULL;
        jobject url = uri ? (*env)->CallObjectMethod(env, uri, to_url) : NULL;
        if (url == NULL)
            return NULL;
        (*env)->SetObjectArrayElement(env, urls, i, url);
    }
    jobject parent = (*env)->CallStaticObjectMethod(env, cl_class, platform);
    return (*env)->NewObject(env, ucl_class, ucl_init, urls, parent);
}

static int load_bridge(JNIEnv *env)
{
    jclass entry, natives;

    if (jvm_created_here) {
        entry = (*env)->FindClass(env, BRIDGE_ENTRY);
        natives = (*env)->FindClass(env, "org/pamjava/host/HostNatives");
    } else {
        if (!runtime_is_trusted(NULL))
            return -1;
        jobject loader = new_bridge_loader(env);
        entry = loader ? load_bridge_class(env, loader, BRIDGE_ENTRY_DOTS) : NULL;
        natives = loader ? load_bridge_class(env, loader, BRIDGE_NATIVES_DOTS) : NULL;
    }
    if (entry == NULL || natives == NULL || (*env)->ExceptionCheck(env)) {
        (*env)->ExceptionClear(env);
        pj_log(NULL, LOG_ERR, "cannot load the pam_java runtime from %s", PJ_RUNTIME_DIR);
        return -1;
    }
    if (pj_register_natives(env, natives) != 0)
        return -1;
    entry_class = (*env)->NewGlobalRef(env, entry);
    entry_call = (*env)->GetStaticMethodID(env, entry, "call", "(JJII[[B)I");
    entry_end = (*env)->GetStaticMethodID(env, entry, "end", "(JJ[BI)V");
    jmethodID init = (*env)->GetStaticMethodID(env, entry, "init",
        "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;ZLjava/lang/String;)V");
    if (entry_class == NULL || entry_call == NULL || entry_end == NULL || init == NULL) {
        (*env)->ExceptionClear(env);
        pj_log(NULL, LOG_ERR, "the pam_java runtime in %s does not match pam_java.so", PJ_RUNTIME_DIR);
        return -1;
    }
    (*env)->CallStaticVoidMethod(env, entry, init,
                                 (*env)->NewStringUTF(env, PJ_RUNTIME_DIR),
                                 (*env)->NewStringUTF(env, pj_module_dir),
                                 (*env)->NewStringUTF(env, pj_config.cache_dir),
                                 (*env)->NewStringUTF(env, pj_config.class_path),
                                 (jboolean)jvm_created_here,
                                 (*env)->NewStringUTF(env, PJ_LIBPAM_VERSION));
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionClear(env);
        pj_log(NULL, LOG_ERR, "the pam_java runtime failed to start");
        return -1;
    }
    return 0;
}

/* On a worker thread: make sure the JVM is up and this thread is attached to it. */
int pj_jvm_attach(JNIEnv **env)
{
    int ok;

    pthread_mutex_lock(&jvm_lock);
    if (jvm_state == JVM_UNTRIED) {
        jvm_state = JVM_FAILED;
        jvm = existing_jvm();
        int starting = jvm == NULL;
        __atomic_store_n(&jvm_origin, starting ? JVM_OURS : JVM_HOSTS, __ATOMIC_RELEASE);
        /* Nothing of the caller's environment reaches HotSpot (JAVA_TOOL_OPTIONS, _JAVA_OPTIONS,
         * TZ, the locale, ...) or the runtime's System.getenv() copy, made in NativeEntry.init:
         * both see a fixed PATH and LC_ALL=C.UTF-8 (Java's defaults: English, UTF-8 file names). */
        if (starting) {
            starting_jvm = 1;
            pj_environment_begin_jvm_start();
        }
        if (starting) {
            if (create_jvm(env) == 0)
                jvm_created_here = 1;
        } else if ((*jvm)->AttachCurrentThreadAsDaemon(jvm, (void **)env, NULL) != JNI_OK) {
            pj_log(NULL, LOG_ERR, "cannot attach a thread to the process's JVM");
            jvm = NULL;
        }
        if (jvm != NULL) {
            __atomic_store_n(&jvm_pid, getpid(), __ATOMIC_RELEASE);
            if ((**env)->PushLocalFrame(*env, 64) == 0) {
                if (load_bridge(*env) == 0)
                    jvm_state = JVM_READY;
                (**env)->PopLocalFrame(*env, NULL);
            } else {
                pj_log(NULL, LOG_ERR, "out of memory in the JVM while loading the pam_java runtime");
            }
        }
        if (starting) {
            /* The runtime's start (System.getenv() initialises java.lang.ProcessImpl, which sets
             * SIGCHLD to SIG_DFL) may change more of the host's dispositions: give them back. */
            restore_host_signals();
            if (jvm_state == JVM_READY)
                filter_signals_sent_to_the_jvm();
            starting_jvm = 0;
            pj_environment_end_jvm_start();
        }
        pthread_mutex_unlock(&jvm_lock);
        return jvm_state == JVM_READY ? 0 : -1;
    }
    ok = jvm_state == JVM_READY;
    pthread_mutex_unlock(&jvm_lock);
    if (!ok) {
        pj_log(NULL, LOG_ERR, "Java could not be started in this process earlier; see the first error");
        return -1;
    }
    return (*jvm)->AttachCurrentThreadAsDaemon(jvm, (void **)env, NULL) == JNI_OK ? 0 : -1;
}

static jbyteArray bytes_of(JNIEnv *env, const char *s)
{
    jsize len = (jsize)strlen(s);
    jbyteArray a = (*env)->NewByteArray(env, len);
    if (a != NULL)
        (*env)->SetByteArrayRegion(env, a, 0, len, (const jbyte *)s);
    return a;
}

/* On a worker thread: one operation (or the end hook) of one module, in Java. */
int pj_jvm_run(JNIEnv *env, struct pj_call *call)
{
    int result = PAM_SERVICE_ERR;

    if ((*env)->PushLocalFrame(env, call->argc + 16) != 0) {
        (*env)->ExceptionClear(env);
        pj_log(NULL, LOG_ERR, "out of memory in the JVM before calling %s", call->argv[0]);
        return PAM_BUF_ERR;
    }
    jclass bytes_class = (*env)->FindClass(env, "[B");
    jobjectArray argv = bytes_class ? (*env)->NewObjectArray(env, call->argc, bytes_class, NULL) : NULL;
    for (int i = 0; argv != NULL && i < call->argc; i++) {
        jbyteArray arg = bytes_of(env, call->argv[i]);
        if (arg == NULL) {
            argv = NULL;
            break;
        }
        (*env)->SetObjectArrayElement(env, argv, i, arg);
    }
    if (argv == NULL) {
        (*env)->ExceptionClear(env);
        pj_log(NULL, LOG_ERR, "out of memory in the JVM passing the arguments of %s", call->argv[0]);
        result = PAM_BUF_ERR;
    } else if (call->op == PJ_END) {
        (*env)->CallStaticVoidMethod(env, entry_class, entry_end, (jlong)(intptr_t)call->pamh,
                                     (jlong)call->token, (*env)->GetObjectArrayElement(env, argv, 0),
                                     (jint)call->flags);
        result = PAM_SUCCESS;
    } else {
        result = (*env)->CallStaticIntMethod(env, entry_class, entry_call, (jlong)(intptr_t)call->pamh,
                                             (jlong)call->token, (jint)call->op, (jint)call->flags, argv);
    }
    if ((*env)->ExceptionCheck(env)) {
        /* The bridge catches everything; getting here means the JVM itself is in trouble. */
        (*env)->ExceptionClear(env);
        pj_log(NULL, LOG_ERR, "unexpected Java exception escaped the pam_java runtime");
        result = PAM_SERVICE_ERR;
    }
    (*env)->PopLocalFrame(env, NULL);
    return result;
}
