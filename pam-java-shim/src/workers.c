/* workers.c: pam_java's own threads run Java; the application's thread waits and serves hand-backs. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "pam_java.h"

/*
 * Java gets threads of a fixed, generous stack size whatever the host's thread or ulimit, and
 * with every asynchronous signal blocked: JVM threads inherit that mask, so the host's signals
 * keep reaching the host's threads. Workers are never destroyed; the pool grows to the number
 * of PAM calls the process has made at once.
 */
#define WORKER_STACK_SIZE (4u << 20)

pthread_mutex_t pj_lock = PTHREAD_MUTEX_INITIALIZER;

struct worker {
    struct pj_call *call;
    struct worker *next_idle;
    pthread_cond_t wake;
};

static struct worker *idle_workers;

/*
 * Hand-offs between the caller and a worker spin briefly before they sleep: a PAM call's Java
 * part takes microseconds, and a futex wake-up plus the context switches around it cost more
 * than the call (measured: half of a warm transaction's time was in the kernel). The caller
 * spins while the worker runs; an idle worker spins for the handle's next call. Spinning stops
 * after SPIN_NS and never happens with a single CPU, where it would only delay the other thread.
 */
#define CALLER_SPIN_NS 60000L
#define WORKER_SPIN_NS 120000L
static int spinning_allowed = -1;

int pj_may_spin(void)
{
    int allowed = __atomic_load_n(&spinning_allowed, __ATOMIC_RELAXED);
    if (allowed < 0) {
        cpu_set_t cpus;
        allowed = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1;
        __atomic_store_n(&spinning_allowed, allowed, __ATOMIC_RELAXED);
    }
    return allowed;
}

long pj_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Spins, for at most budget_ns, until ready(arg); ready reads without pj_lock (writers hold it). */
static void spin_until(int (*ready)(const void *), const void *arg, long budget_ns)
{
    if (!pj_may_spin())
        return;
    long until = pj_now_ns() + budget_ns;
    for (int i = 0; !ready(arg); i++) {
        pj_cpu_relax();
        if ((i & 63) == 63 && pj_now_ns() > until)
            return;
    }
}

static int has_call(const void *worker)
{
    return __atomic_load_n(&((const struct worker *)worker)->call, __ATOMIC_ACQUIRE) != NULL;
}

static int state_of(const void *call)
{
    return __atomic_load_n(&((const struct pj_call *)call)->state, __ATOMIC_ACQUIRE);
}

/* The worker has finished the call or wants a hand-back: either way the caller has work. */
static int caller_needed(const void *call)
{
    return state_of(call) == CALL_DONE || state_of(call) == CALL_HANDBACK;
}

static int handback_served(const void *call)
{
    return state_of(call) != CALL_HANDBACK;
}

static void set_state(struct pj_call *call, int state)
{
    __atomic_store_n(&call->state, state, __ATOMIC_RELEASE);
}
static __thread struct pj_call *current_call;
/* The process that started the workers: a forked child has their memory but not the threads. */
static pid_t pool_pid;

int pj_forked_after_start(void)
{
    pid_t pid = __atomic_load_n(&pool_pid, __ATOMIC_ACQUIRE);
    return pid != 0 && pid != getpid();
}

void pj_call_free(struct pj_call *call)
{
    for (int i = 0; i < call->argc; i++)
        free(call->argv[i]);
    free(call->argv);
    free(call);
}

struct pj_call *pj_current_call(void)
{
    return current_call;
}

static void release_call(struct pj_call *call)
{
    if (--call->refs == 0) {
        pthread_cond_destroy(&call->cond);
        pj_call_free(call);
    }
}

static void run_call(struct worker *self, JNIEnv *env, struct pj_call *call)
{
    int result = PAM_SERVICE_ERR;

    /* A call its caller gave up on before it started is not run: its handle may be gone. */
    pthread_mutex_lock(&pj_lock);
    int abandoned = call->abandoned;
    pthread_mutex_unlock(&pj_lock);
    current_call = call;
    if (env != NULL && !abandoned)
        result = pj_jvm_run(env, call);
    current_call = NULL;

    pthread_mutex_lock(&pj_lock);
    call->result = result;
    set_state(call, CALL_DONE);
    /* Idle again before the caller can see the result: its next call (the next PAM function,
     * pam_end's end hook) then finds this worker instead of starting (and attaching) another. */
    __atomic_store_n(&self->call, NULL, __ATOMIC_RELEASE);
    self->next_idle = idle_workers;
    idle_workers = self;
    pthread_cond_broadcast(&call->cond);
    release_call(call);
    pthread_mutex_unlock(&pj_lock);
}

static void *worker_main(void *arg)
{
    struct worker *self = arg;
    JNIEnv *env = NULL;

    if (pj_jvm_attach(&env) != 0)
        env = NULL;    /* calls fail with PAM_SERVICE_ERR; the cause is in syslog */
    for (;;) {
        spin_until(has_call, self, WORKER_SPIN_NS);
        pthread_mutex_lock(&pj_lock);
        while (self->call == NULL)
            pthread_cond_wait(&self->wake, &pj_lock);
        struct pj_call *call = self->call;
        set_state(call, CALL_RUNNING);
        pthread_mutex_unlock(&pj_lock);

        run_call(self, env, call);
    }
    return NULL;
}

/* Called with pj_lock held. */
static int start_worker(struct pj_call *call)
{
    pthread_attr_t attr;
    pthread_t tid;
    sigset_t async_signals, saved;
    struct worker *w = calloc(1, sizeof(*w));
    int err;

    if (w == NULL)
        return PAM_BUF_ERR;
    pthread_cond_init(&w->wake, NULL);
    w->call = call;

    /* Signals the kernel sends to the faulting thread stay deliverable; the JVM needs them. */
    sigfillset(&async_signals);
    sigdelset(&async_signals, SIGSEGV);
    sigdelset(&async_signals, SIGBUS);
    sigdelset(&async_signals, SIGILL);
    sigdelset(&async_signals, SIGFPE);
    sigdelset(&async_signals, SIGTRAP);
    sigdelset(&async_signals, SIGSYS);

    if (pool_pid == 0)
        __atomic_store_n(&pool_pid, getpid(), __ATOMIC_RELEASE);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WORKER_STACK_SIZE);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_sigmask(SIG_BLOCK, &async_signals, &saved);
    err = pthread_create(&tid, &attr, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    pthread_attr_destroy(&attr);
    if (err != 0) {
        pthread_cond_destroy(&w->wake);
        free(w);
        pj_log(call->pamh, LOG_ERR, "cannot start a thread: %s", strerror(err));
        return PAM_SYSTEM_ERR;
    }
    return PAM_SUCCESS;
}

static void deadline_after(struct timespec *deadline, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, deadline);
    deadline->tv_sec += ms / 1000;
    deadline->tv_nsec += (ms % 1000) * 1000000L;
    if (deadline->tv_nsec >= 1000000000L) {
        deadline->tv_sec++;
        deadline->tv_nsec -= 1000000000L;
    }
}

/*
 * Runs the call on a worker and serves its hand-backs on this thread until it is done or,
 * with a timeout, until the module has used up its time (time spent in the application's
 * conversation does not count). Takes ownership of call.
 */
int pj_call_run(struct pj_call *call, long timeout_ms)
{
    struct timespec deadline;
    int result;

    pthread_condattr_t cattr;
    pthread_condattr_init(&cattr);
    pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
    pthread_cond_init(&call->cond, &cattr);
    pthread_condattr_destroy(&cattr);
    set_state(call, CALL_QUEUED);
    call->refs = 2;
    if (timeout_ms > 0)
        deadline_after(&deadline, timeout_ms);

    pthread_mutex_lock(&pj_lock);
    struct worker *w = idle_workers;
    if (w != NULL) {
        idle_workers = w->next_idle;
        __atomic_store_n(&w->call, call, __ATOMIC_RELEASE);
        pthread_cond_signal(&w->wake);
    } else if ((result = start_worker(call)) != PAM_SUCCESS) {
        call->refs = 0;
        pthread_mutex_unlock(&pj_lock);
        pthread_cond_destroy(&call->cond);
        pj_call_free(call);
        return result;
    }
    for (;;) {
        if (call->state == CALL_QUEUED || call->state == CALL_RUNNING) {
            pthread_mutex_unlock(&pj_lock);
            spin_until(caller_needed, call, CALLER_SPIN_NS);
            pthread_mutex_lock(&pj_lock);
        }
        if (call->state == CALL_DONE) {
            result = call->result;
            break;
        }
        if (call->state == CALL_HANDBACK) {
            pthread_mutex_unlock(&pj_lock);
            call->handback(call->handback_arg);
            pthread_mutex_lock(&pj_lock);
            set_state(call, CALL_RUNNING);
            pthread_cond_broadcast(&call->cond);
            if (timeout_ms > 0)
                deadline_after(&deadline, timeout_ms);
            continue;
        }
        if (timeout_ms <= 0) {
            pthread_cond_wait(&call->cond, &pj_lock);
        } else if (pthread_cond_timedwait(&call->cond, &pj_lock, &deadline) == ETIMEDOUT
                   && call->state != CALL_DONE && call->state != CALL_HANDBACK) {
            /* Wait out a libpam call in progress: after we return, pamh may be freed. */
            while (call->in_libpam)
                pthread_cond_wait(&call->cond, &pj_lock);
            /* Meanwhile the worker may have finished or asked for a hand-back: serve it. */
            if (call->state == CALL_DONE || call->state == CALL_HANDBACK)
                continue;
            call->abandoned = 1;
            pthread_cond_broadcast(&call->cond);
            pj_log(call->pamh, LOG_ERR, "the Java module did not answer within %ld ms; giving up",
                   timeout_ms);
            result = PAM_AUTHINFO_UNAVAIL;
            break;
        }
    }
    release_call(call);
    pthread_mutex_unlock(&pj_lock);
    pj_descriptors_after_call();    /* before the host can exec: what Java opened is close-on-exec */
    return result;
}

/* On a worker: run fn(arg) on the caller's thread and wait for it. Returns 0, or -1 if abandoned. */
int pj_handback(struct pj_call *call, void (*fn)(void *), void *arg)
{
    int ok;

    pthread_mutex_lock(&pj_lock);
    if (!call->abandoned) {
        call->handback = fn;
        call->handback_arg = arg;
        set_state(call, CALL_HANDBACK);
        pthread_cond_broadcast(&call->cond);
        pthread_mutex_unlock(&pj_lock);
        spin_until(handback_served, call, CALLER_SPIN_NS);
        pthread_mutex_lock(&pj_lock);
        while (call->state == CALL_HANDBACK && !call->abandoned)
            pthread_cond_wait(&call->cond, &pj_lock);
    }
    ok = !call->abandoned;
    pthread_mutex_unlock(&pj_lock);
    return ok ? 0 : -1;
}

/* On a worker, around each libpam call: returns -1 when the caller has gone (pamh is off limits). */
int pj_enter_libpam(struct pj_call *call)
{
    int ok;

    pthread_mutex_lock(&pj_lock);
    ok = !call->abandoned;
    if (ok)
        call->in_libpam = 1;
    pthread_mutex_unlock(&pj_lock);
    return ok ? 0 : -1;
}

void pj_leave_libpam(struct pj_call *call)
{
    pthread_mutex_lock(&pj_lock);
    call->in_libpam = 0;
    pthread_cond_broadcast(&call->cond);
    pthread_mutex_unlock(&pj_lock);
}
