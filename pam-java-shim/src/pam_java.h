/* pam_java.h: declarations shared by the parts of pam_java.so. */
#ifndef PAM_JAVA_H
#define PAM_JAVA_H

#include <jni.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <security/pam_appl.h>
#include <security/pam_modules.h>

/* The operations, in the order of org.pamjava.PamOperation. */
enum pj_op {
    PJ_AUTHENTICATE, PJ_SETCRED, PJ_ACCT_MGMT, PJ_OPEN_SESSION, PJ_CLOSE_SESSION,
    PJ_CHAUTHTOK, PJ_END
};

/* JVM-wide settings from the root-owned configuration file (pam_java(8)). */
struct pj_config {
    char java_home[PATH_MAX];
    char jvm_options[4096];
    char class_path[4096];
    char cache_dir[PATH_MAX];
    long timeout_ms;            /* 0: wait for the module as long as it takes */
    char resident_socket[PATH_MAX]; /* the resident service's socket; empty: always in-process */
};

/*
 * One PAM call in flight. The application's thread (the caller) hands it to a worker thread
 * that runs Java, then waits; calls the module makes that must run on the caller's thread
 * (the conversation) are handed back to it. Shared fields are guarded by pj_lock.
 */
struct pj_call {
    pam_handle_t *pamh;
    enum pj_op op;
    int flags;
    int argc;
    char **argv;                   /* the call's own copy: the caller's may be gone (timeout) */
    unsigned long long token;      /* names the module instance of this handle and MODULE */
    int result;

    void (*handback)(void *arg);   /* set by the worker while state == CALL_HANDBACK */
    void *handback_arg;
    int state;
    int abandoned;                 /* the caller gave up (timeout); never touch pamh again */
    int in_libpam;                 /* the worker is inside a libpam call on pamh */
    int refs;                      /* the caller and the worker; the last one frees */
    long running_since_ns;         /* CLOCK_MONOTONIC when a worker with Java up took the call */
    char **environment;            /* what `environ` is while the call's Java part runs */
    struct pj_call *next_in_flight, *prev_in_flight;
    pthread_cond_t cond;
};

enum { CALL_QUEUED, CALL_RUNNING, CALL_HANDBACK, CALL_DONE };

extern pthread_mutex_t pj_lock;

/* config.c */
int pj_config_load(pam_handle_t *pamh, struct pj_config *cfg);
void pj_config_defaults(struct pj_config *cfg);
int pj_config_parse(pam_handle_t *pamh, struct pj_config *cfg, const char *file, FILE *f);
int pj_path_is_trusted(pam_handle_t *pamh, const char *path);
int pj_cache_dir_ready(pam_handle_t *pamh, const char *dir);

/* environment.c */
char **pj_environment_of(pam_handle_t *pamh);
void pj_environment_free(char **env);
void pj_environment_enter(char **env);
void pj_environment_leave(void);
void pj_environment_begin_jvm_start(void);
void pj_environment_end_jvm_start(void);

/* jvm.c */
int pj_jvm_is_hosts(void);
void pj_jvm_start_abandoned(void);
int pj_jvm_thread_is_java(void);
int pj_jvm_attach(JNIEnv **env);
int pj_jvm_run(JNIEnv *env, struct pj_call *call);
pid_t pj_jvm_owner_pid(void);
int pj_jvm_initialized(void);
int pj_jvm_failure_code(void);      /* what calls return after a failed start: PAM_BUF_ERR or PAM_SERVICE_ERR */

/* startup.c: what a JVM start needs, checked before libjvm.so is loaded */
int pj_jdk_layout_ready(const char *java_home);
int pj_jvm_option_allowed(const char *option);
int pj_limits_allow_jvm(const JavaVMOption *opts, int n, const char *java_home, const char *aot_cache);

/* workers.c */
int pj_call_run(struct pj_call *call, long timeout_ms);
void pj_call_free(struct pj_call *call);
int pj_forked_after_start(void);
struct pj_call *pj_current_call(void);
int pj_handback(struct pj_call *call, void (*fn)(void *), void *arg);
int pj_enter_libpam(struct pj_call *call);
void pj_leave_libpam(struct pj_call *call);
int pj_may_spin(void);      /* waits may spin before they sleep: more than one CPU to run on */
long pj_now_ns(void);       /* CLOCK_MONOTONIC */
int pj_on_worker(void);     /* the calling thread is one of pam_java's workers */
void pj_java_ended(const char *why);    /* Java is gone for this process: fail every call, now and later */
void pj_park_forever(void) __attribute__((noreturn));

#if defined(__x86_64__) || defined(__i386__)
#define pj_cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define pj_cpu_relax() __asm__ __volatile__("yield")
#else
#define pj_cpu_relax() do {} while (0)
#endif

/* natives.c: the JNI natives, and the libpam steps the resident client shares with them */
int pj_register_natives(JNIEnv *env, jclass libpam_class);
void pj_wipe_free(char *s);
int pj_set_xauth(pam_handle_t *pamh, struct pam_xauth_data *x);
size_t pj_xauth_name_length(const struct pam_xauth_data *x);
int pj_string_item(int type);
int pj_converse(pam_handle_t *pamh, int n, const struct pam_message **messages, struct pam_response **responses);
int pj_get_user_copy(pam_handle_t *pamh, const char *prompt, char **user);

/* resident.c: the client of the resident service (pam-java-resident) */
int pj_resident_connect(pam_handle_t *pamh);
void pj_resident_release(int fd);
int pj_resident_call(pam_handle_t *pamh, int *connection, enum pj_op op, int flags, int argc, const char **argv,
                     long timeout_ms);

/* descriptors.c: what Java opens is close-on-exec; the host's own descriptors are left as they are */
int pj_descriptors_before_jvm(void);
void pj_descriptors_after_call(void);

/* log.c */
void pj_log(pam_handle_t *pamh, int priority, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
jint pj_vfprintf_hook(FILE *stream, const char *format, va_list args);
void pj_exit_hook(jint code);
void pj_abort_hook(void);

#endif
