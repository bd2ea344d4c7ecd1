/*
 * workers.h: pam_java's own threads run Java; the application's thread waits and serves
 * hand-backs. What runs on a worker is the runner's (the in-process path gives the JVM's):
 * this layer starts threads, hands calls over, times them and knows when Java has ended.
 */
#ifndef PJ_WORKERS_H
#define PJ_WORKERS_H

#include <jni.h>
#include <pthread.h>
#include <security/pam_modules.h>

#include "op.h"

struct pj_call;

/* What a worker does: attach once when it starts, then run each call; failure_code when attach failed. */
struct pj_runner {
    int (*attach)(JNIEnv **env);
    int (*run)(JNIEnv *env, struct pj_call *call);
    int (*failure_code)(void);
};

/*
 * One PAM call in flight. The application's thread (the caller) hands it to a worker thread
 * that runs Java, then waits; calls the module makes that must run on the caller's thread
 * (the conversation) are handed back to it. Shared fields are guarded by workers.c's lock.
 */
struct pj_call {
    pam_handle_t *pamh;
    enum pj_op op;
    int flags;
    int argc;
    char **argv;                   /* the call's own copy: the caller's may be gone (timeout) */
    unsigned long long token;      /* names the module instance of this handle and MODULE */
    const struct pj_runner *runner;
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

/* Runs the call (takes ownership); module_environment: `environ` is the module's while it runs. */
int pj_call_run(struct pj_call *call, long timeout_ms, int module_environment);
void pj_call_free(struct pj_call *call);
int pj_forked_after_start(void);
struct pj_call *pj_current_call(void);
int pj_handback(struct pj_call *call, void (*fn)(void *), void *arg);
int pj_enter_libpam(struct pj_call *call);
void pj_leave_libpam(struct pj_call *call);
int pj_on_worker(void);     /* the calling thread is one of pam_java's workers */
void pj_java_ended(const char *why);    /* Java is gone for this process: fail every call, now and later */
void pj_park_forever(void) __attribute__((noreturn));

#endif
