/*
 * jvm_options.h: the JVM's options, and the names pam_java.so knows its Java runtime by: each is
 * defined here once (the jars of the class path, the JNI entry class, the natives class).
 */
#ifndef PJ_JVM_OPTIONS_H
#define PJ_JVM_OPTIONS_H

#include <jni.h>
#include <limits.h>
#include <stddef.h>

/* The runtime's jars in PJ_RUNTIME_DIR, the in-process JVM's class path in this order: the module
 * API, the runtime both hosts share, the JNI host. */
#define PJ_RUNTIME_JARS { "pam-java-api.jar", "pam-java-runtime.jar", "pam-java-host.jar" }
/* The JNI entry class (init, call, end) and the class whose natives natives.c registers. */
#define PJ_ENTRY_CLASS "org/pamjava/host/NativeEntry"
#define PJ_NATIVES_CLASS "org/pamjava/host/HostNatives"
/* java.util.logging's configuration class (LogManager instantiates it when something first logs):
 * the module's records to its call's syslog, as its prints. */
#define PJ_LOGGING_CONFIG_CLASS "org.pamjava.runtime.ModuleLogging"
/* The AOT cache in PJ_RUNTIME_DIR, used when there (scripts/build-aot-cache.sh). */
#define PJ_AOT_CACHE "pam-java.aot"

#define PJ_MAX_JVM_OPTIONS 64

struct pj_jvm_options {
    JavaVMOption opts[PJ_MAX_JVM_OPTIONS];
    int n;
    int speedup_at;             /* two options a later JDK may refuse: dropped for a second try */
    int aot_cache_used;
    char aot_path[PATH_MAX];
    char *owned[PJ_MAX_JVM_OPTIONS];
    int n_owned;
    char *user_options;
};

size_t pj_runtime_jar_count(void);
const char *pj_runtime_jar(size_t i);
/* 0, or -1 (logged: out of memory, too many options, or a jvm_options entry refused). */
int pj_jvm_options_build(struct pj_jvm_options *o, const char *cache_dir, const char *jvm_options,
                         void *exit_hook, void *abort_hook);
void pj_jvm_options_free(struct pj_jvm_options *o);

#endif
