/* jvm.c: finds or creates the process's one JVM, loads the in-process host's classes, and calls into them. */
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/resource.h>

#include "config.h"
#include "descriptors.h"
#include "environment.h"
#include "jvm.h"
#include "jvm_options.h"
#include "jvm_signals.h"
#include "log.h"
#include "natives.h"
#include "startup.h"
#include "workers.h"

#ifndef PJ_RUNTIME_DIR
#error "PJ_RUNTIME_DIR must be defined by the build"
#endif
#ifndef PJ_LIBPAM_VERSION
#error "PJ_LIBPAM_VERSION must be defined by the build"
#endif

/* What pam_java.so was set up with (pj_jvm_configure): its configuration and its directory. */
static const struct pj_config *config;
static const char *module_dir;

void pj_jvm_configure(const struct pj_config *cfg, const char *dir)
{
    config = cfg;
    module_dir = dir;
}

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

/* As root, the JVM and pam_java's own jars must be root's alone, like modules (docs/security.md#threat-6-ownership). */
static int runtime_is_trusted(const char *libjvm)
{
    char path[PATH_MAX];
    if (libjvm != NULL && !pj_path_is_trusted(NULL, libjvm))
        return 0;
    for (size_t i = 0; i < pj_runtime_jar_count(); i++) {
        snprintf(path, sizeof(path), "%s/%s", PJ_RUNTIME_DIR, pj_runtime_jar(i));
        if (!pj_path_is_trusted(NULL, path))
            return 0;
    }
    snprintf(path, sizeof(path), "%s/%s", PJ_RUNTIME_DIR, PJ_AOT_CACHE);
    return faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) != 0 || pj_path_is_trusted(NULL, path);
}

/* The host's locale while the JVM starts (HotSpot calls setlocale(LC_ALL, "")). */
static char *host_locale;
/* This thread is starting the JVM: a hook that parks it must give the host back what the start took. */
static __thread int starting_jvm;

/* What a failed start gives every call of the process: PAM_BUF_ERR when the caller's resource
 * limits leave the JVM too little memory (startup.c), else PAM_SERVICE_ERR. */
static int jvm_failure = PAM_SERVICE_ERR;

int pj_jvm_failure_code(void)
{
    return __atomic_load_n(&jvm_failure, __ATOMIC_ACQUIRE);
}

/* From the exit or abort hook, on a thread that was starting the JVM: it will never finish, so
 * the host gets back its signals, locale and environment now. */
static void jvm_start_abandoned(void)
{
    if (!starting_jvm)
        return;
    starting_jvm = 0;
    pj_signals_restore_host();
    if (host_locale != NULL)
        setlocale(LC_ALL, host_locale);
    pj_environment_end_jvm_start();
}

/* The calling thread is attached to the JVM pam_java created (a worker, a module's own thread, one
 * of the JVM's Java threads). */
static int jvm_thread_is_java(void)
{
    JNIEnv *env;
    return jvm != NULL && jvm_created_here && (*jvm)->GetEnv(jvm, (void **)&env, JNI_VERSION_1_8) == JNI_OK;
}

/*
 * HotSpot calls the exit hook on its VM thread, at a safepoint, after Java's shutdown work, when
 * anything in the JVM asks to end the process: System.exit and Runtime.halt however they are
 * reached (reflection, method references and handles, JDK code such as javac's Main). If the
 * hook returns, HotSpot exits the host with the status Java chose. It never returns: that JVM is
 * dead, its Java threads stay stopped at the safepoint, and the host goes on (its PAM calls fail).
 */
static void exit_hook(jint code)
{
    char why[96];
    snprintf(why, sizeof(why), "Java code asked to end the process with status %d", (int)code);
    /* No crash here: the VM thread may log before the callers are woken (and the host exits). */
    syslog(LOG_AUTHPRIV | LOG_CRIT, "pam_java: %s; the host keeps running without Java", why);
    jvm_start_abandoned();
    pj_java_ended(why);
    pj_park_forever();
}

/*
 * The abort hook runs before HotSpot ends the process after a fatal error: a crash, or a start
 * that cannot complete. On a thread of the JVM pam_java created (its workers, a module's own
 * threads, the JVM's Java threads) the hook parks it, and the callers get an error instead; on
 * any other thread (the host's) the process ends as it would after that fault without pam_java.
 * Java's end is marked before anything that could block (syslog takes a lock a crash may hold).
 */
static void abort_hook(void)
{
    if (pj_on_worker() || jvm_thread_is_java()) {
        jvm_start_abandoned();
        pj_java_ended("the JVM failed fatally");
        syslog(LOG_AUTHPRIV | LOG_CRIT, "pam_java: the JVM failed fatally on one of its threads (a crash, or a"
               " start that could not complete); the host keeps running without Java");
        pj_park_forever();
    }
    syslog(LOG_AUTHPRIV | LOG_CRIT, "pam_java: the JVM failed fatally on a thread that is not Java's;"
           " the process ends");
}

static int create_jvm(JNIEnv **env)
{
    struct pj_jvm_options o;
    jint rc = JNI_ERR;

    /* Before anything of the JVM exists: its temporary, home and error-file directory, and a JDK
     * with all a start opens (startup.c). */
    if (!pj_cache_dir_ready(NULL, config->cache_dir) || !pj_jdk_layout_ready(config->java_home))
        return -1;
    char *lib_path = NULL;
    if (asprintf(&lib_path, "%s/lib/server/libjvm.so", config->java_home) < 0) {
        lib_path = NULL;
        pj_log(NULL, LOG_ERR, "out of memory before starting the JVM");
    }
    if (lib_path == NULL || !runtime_is_trusted(lib_path)) {
        free(lib_path);
        return -1;
    }
    if (pj_jvm_options_build(&o, config->cache_dir, config->jvm_options, (void *)exit_hook, (void *)abort_hook) != 0)
        goto out;
    /* The caller's resource limits are theirs to set (ulimit before su): one the JVM cannot start
     * under is refused before libjvm.so is loaded, against what these options reserve. */
    int limits = pj_limits_allow_jvm(o.opts, o.n, config->java_home, o.aot_cache_used ? o.aot_path : NULL);
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

    JavaVMInitArgs args = { .version = JNI_VERSION_21, .nOptions = o.n, .options = o.opts,
                            .ignoreUnrecognized = JNI_FALSE };
    /* HotSpot calls setlocale(LC_ALL, "") and installs signal handlers: give the host its own back. */
    const char *locale_now = setlocale(LC_ALL, NULL);
    if (locale_now != NULL && (host_locale = strdup(locale_now)) == NULL)
        pj_log(NULL, LOG_WARNING, "out of memory: the host's locale cannot be restored after the JVM starts");
    pj_signals_save_host();
    rc = create(&jvm, (void **)env, &args);
    if (rc == JNI_EINVAL) {
        /* HotSpot refuses options before it starts anything, and may then be asked again: a JDK
         * that does not know the start-up speed-up must not make every PAM call fail. */
        pj_log(NULL, LOG_WARNING, "the JVM refused its options; trying again without -XX:-AOTReplayTraining");
        memmove(&o.opts[o.speedup_at], &o.opts[o.speedup_at + 2], (size_t)(o.n - o.speedup_at - 2) * sizeof(o.opts[0]));
        args.nOptions = o.n - 2;
        rc = create(&jvm, (void **)env, &args);
    }
    pj_signals_restore_host();
    if (host_locale != NULL) {
        setlocale(LC_ALL, host_locale);
        free(host_locale);
        host_locale = NULL;
    }
    if (rc != JNI_OK)
        pj_log(NULL, LOG_ERR, "JNI_CreateJavaVM failed (%d) with java_home %s", (int)rc, config->java_home);
out:
    pj_jvm_options_free(&o);
    free(lib_path);
    return rc == JNI_OK ? 0 : -1;
}

/* In a JVM we did not create, the bridge gets a class loader of its own over the runtime jars. */
static jclass load_bridge_class(JNIEnv *env, jobject loader, const char *internal_name)
{
    char dotted[256];
    snprintf(dotted, sizeof(dotted), "%s", internal_name);
    for (char *p = dotted; *p != '\0'; p++)
        if (*p == '/')
            *p = '.';
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
    jsize n_jars = (jsize)pj_runtime_jar_count();
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
    jobjectArray urls = (*env)->NewObjectArray(env, n_jars, url_class, NULL);
    if (!file_init || !to_uri || !to_url || !ucl_init || !platform || !urls)
        return NULL;
    for (jsize i = 0; i < n_jars; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", PJ_RUNTIME_DIR, pj_runtime_jar((size_t)i));
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
        entry = (*env)->FindClass(env, PJ_ENTRY_CLASS);
        natives = (*env)->FindClass(env, PJ_NATIVES_CLASS);
    } else {
        if (!runtime_is_trusted(NULL))
            return -1;
        jobject loader = new_bridge_loader(env);
        entry = loader ? load_bridge_class(env, loader, PJ_ENTRY_CLASS) : NULL;
        natives = loader ? load_bridge_class(env, loader, PJ_NATIVES_CLASS) : NULL;
    }
    if (entry == NULL || natives == NULL || (*env)->ExceptionCheck(env)) {
        (*env)->ExceptionClear(env);
        pj_log(NULL, LOG_ERR, "cannot load the pam_java runtime from %s", PJ_RUNTIME_DIR);
        return -1;
    }
    if (pj_register_natives(env, natives, jvm_created_here) != 0)
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
                                 (*env)->NewStringUTF(env, module_dir),
                                 (*env)->NewStringUTF(env, config->cache_dir),
                                 (*env)->NewStringUTF(env, config->class_path),
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
            pj_signals_restore_host();
            if (jvm_state == JVM_READY)
                pj_signals_filter_sent_to_jvm();
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
