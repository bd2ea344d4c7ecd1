/* workers.c: pam_java's own threads run Java; the application's thread waits and serves hand-backs. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "descriptors.h"
#include "environment.h"
#include "log.h"
#include "stops.h"
#include "workers.h"

/*
 * Java gets threads of a fixed, generous stack size whatever the host's thread or ulimit, and
 * with every asynchronous signal blocked: JVM threads inherit that mask, so the host's signals
 * keep reaching the host's threads. Workers are never destroyed; the pool grows to the number
 * of PAM calls the process has made at once.
 */
#define WORKER_STACK_SIZE (4u << 20)

static pthread_mutex_t calls_lock = PTHREAD_MUTEX_INITIALIZER;

enum { CALL_QUEUED, CALL_RUNNING, CALL_HANDBACK, CALL_DONE };

struct worker {
    struct pj_call *call;
    struct worker *next_idle;
    pthread_cond_t wake;
};

static struct worker *idle_workers;

/* Hand-offs spin before they sleep (clock.h): the caller while the worker runs, an idle worker for the next call. */
static int has_call(void *worker)
{
    return __atomic_load_n(&((struct worker *)worker)->call, __ATOMIC_ACQUIRE) != NULL;
}

static int state_of(void *call)
{
    return __atomic_load_n(&((struct pj_call *)call)->state, __ATOMIC_ACQUIRE);
}

/*
 * Java's end in this process: a module (or JDK code it called) asked the JVM to exit or halt,
 * or the JVM failed on one of our threads (a crash, a start that could not complete). HotSpot
 * tells pam_java through its exit and abort hooks (jvm.c), which never return: the thread that
 * ends Java parks for good, the host lives on. Sticky: every waiting caller is woken and every
 * later call fails at once, with the reason in syslog.
 */
static int java_has_ended;
static int java_end_claimed;
static char java_end_reason[160];
/* Calls whose callers are waiting, to wake them when Java ends. Guarded by calls_lock. */
static struct pj_call *in_flight;

static int java_ended(void)
{
    return __atomic_load_n(&java_has_ended, __ATOMIC_ACQUIRE);
}

/* The worker has finished the call or wants a hand-back, or Java is gone: the caller has work. */
static int caller_needed(void *call)
{
    return state_of(call) == CALL_DONE || state_of(call) == CALL_HANDBACK || java_ended();
}

static int handback_served(void *call)
{
    return state_of(call) != CALL_HANDBACK;
}

static void set_state(struct pj_call *call, int state)
{
    __atomic_store_n(&call->state, state, __ATOMIC_RELEASE);
}
static __thread struct pj_call *current_call;
static __thread int on_worker;

int pj_on_worker(void)
{
    return on_worker;
}

void pj_java_ended(const char *why)
{
    if (!__atomic_exchange_n(&java_end_claimed, 1, __ATOMIC_ACQ_REL))
        snprintf(java_end_reason, sizeof(java_end_reason), "%s", why);
    __atomic_store_n(&java_has_ended, 1, __ATOMIC_RELEASE);
    /* The thread ending Java may have been interrupted (a crash signal) while it held calls_lock:
     * never wait for the lock for long. Callers look at the flag at least every WAIT_SLICE_NS. */
    for (int i = 0; i < 100; i++) {
        if (pthread_mutex_trylock(&calls_lock) == 0) {
            for (struct pj_call *c = in_flight; c != NULL; c = c->next_in_flight)
                pthread_cond_broadcast(&c->cond);
            pthread_mutex_unlock(&calls_lock);
            return;
        }
        usleep(10000);
    }
}

void pj_park_forever(void)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    for (;;)
        pause();
}
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
    pthread_mutex_lock(&calls_lock);
    int abandoned = call->abandoned;
    pthread_mutex_unlock(&calls_lock);
    current_call = call;
    if (env == NULL) {
        pj_log(NULL, LOG_ERR, "Java could not be started in this process; the first error says why");
        result = call->runner->failure_code();
    } else if (!abandoned)
        result = call->runner->run(env, call);
    current_call = NULL;

    pthread_mutex_lock(&calls_lock);
    call->result = result;
    set_state(call, CALL_DONE);
    /* Idle again before the caller can see the result: its next call (the next PAM function,
     * pam_end's end hook) then finds this worker instead of starting (and attaching) another. */
    __atomic_store_n(&self->call, NULL, __ATOMIC_RELEASE);
    self->next_idle = idle_workers;
    idle_workers = self;
    pthread_cond_broadcast(&call->cond);
    release_call(call);
    pthread_mutex_unlock(&calls_lock);
}

static void *worker_main(void *arg)
{
    struct worker *self = arg;
    JNIEnv *env = NULL;

    on_worker = 1;
    /* The first call's runner: every call of the process has the same one (the in-process path's). */
    if (self->call->runner->attach(&env) != 0)
        env = NULL;    /* calls fail (the runner's failure_code); the cause is in syslog */
    for (;;) {
        (void)pj_spin_until(has_call, self, PJ_SPIN_NEXT_NS);
        pthread_mutex_lock(&calls_lock);
        while (self->call == NULL)
            pthread_cond_wait(&self->wake, &calls_lock);
        struct pj_call *call = self->call;
        call->running_since_ns = pj_now_ns();     /* Java is up: the module's time begins */
        set_state(call, CALL_RUNNING);
        pthread_mutex_unlock(&calls_lock);

        run_call(self, env, call);
    }
    return NULL;
}

/* Called with calls_lock held. */
static int start_worker(struct pj_call *call)
{
    pthread_attr_t attr;
    pthread_t tid;
    sigset_t async_signals, saved;
    struct worker *w = calloc(1, sizeof(*w));
    int err;

    if (w == NULL) {
        pj_log(call->pamh, LOG_ERR, "out of memory starting a pam_java thread");
        return PAM_BUF_ERR;
    }
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

/*
 * A configured timeout counts only time in which the process ran. A user who stops their own
 * setuid host (SIGSTOP, SIGTSTP; or freezes its cgroup) and resumes it after the deadline must
 * not turn the module's answer into PAM_AUTHINFO_UNAVAIL. Two signs of a stop restart the
 * module's whole budget: a SIGCONT (counted while timed calls wait: stops.c), and a wake-up
 * much later than the wait asked for (a frozen cgroup sends no signal). Both can only lengthen the wait, never shorten it.
 */
#define WAIT_SLICE_NS 250000000L    /* a waiting caller looks at the clock at least this often */
#define STOP_GAP_NS 250000000L      /* woken this much later than asked: the process was stopped */

static void timespec_of(struct timespec *t, long ns)
{
    t->tv_sec = ns / 1000000000L;
    t->tv_nsec = ns % 1000000000L;
}

static void add_in_flight(struct pj_call *call)
{
    call->prev_in_flight = NULL;
    call->next_in_flight = in_flight;
    if (in_flight != NULL)
        in_flight->prev_in_flight = call;
    in_flight = call;
}

static void remove_in_flight(struct pj_call *call)
{
    if (call->prev_in_flight != NULL)
        call->prev_in_flight->next_in_flight = call->next_in_flight;
    else
        in_flight = call->next_in_flight;
    if (call->next_in_flight != NULL)
        call->next_in_flight->prev_in_flight = call->prev_in_flight;
}

/* Called with calls_lock held: wait out a libpam call the worker is in (after we return, pamh may be
 * freed), for at most a few seconds when Java has ended (its thread may never come back). */
static void wait_out_libpam(struct pj_call *call)
{
    long give_up = pj_now_ns() + 5 * 1000000000L;
    while (call->in_libpam && (!java_ended() || pj_now_ns() < give_up)) {
        struct timespec t;
        timespec_of(&t, pj_now_ns() + WAIT_SLICE_NS);
        pthread_cond_timedwait(&call->cond, &calls_lock, &t);
    }
}

static int refuse_after_java_ended(pam_handle_t *pamh)
{
    pj_log(pamh, LOG_ERR, "Java has ended in this process (%s); pam_java cannot run modules here any more",
           java_end_reason);
    return PAM_SERVICE_ERR;
}

/*
 * Runs the call on a worker and serves its hand-backs on this thread until it is done or,
 * with a timeout, until the module has used up its time (time spent starting the JVM, in the
 * application's conversation, or stopped does not count). Takes ownership of call.
 */
int pj_call_run(struct pj_call *call, long timeout_ms, int module_environment)
{
    const long budget_ns = timeout_ms * 1000000L;
    long deadline = 0;          /* 0: the module's time has not begun (the JVM is starting) */
    long asked_until = 0;       /* what the last wait asked for */
    int result;

    if (java_ended()) {
        result = refuse_after_java_ended(call->pamh);
        pj_call_free(call);
        return result;
    }
    if (module_environment && (call->environment = pj_environment_of(call->pamh)) == NULL) {
        pj_call_free(call);
        return PAM_BUF_ERR;
    }

    pthread_condattr_t cattr;
    pthread_condattr_init(&cattr);
    pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
    pthread_cond_init(&call->cond, &cattr);
    pthread_condattr_destroy(&cattr);
    set_state(call, CALL_QUEUED);
    call->refs = 2;

    /* Before the worker can run anything (and before it may start the JVM, which swaps the
     * environment itself): the host's environment is saved here. */
    if (module_environment)
        pj_environment_enter(call->environment);
    pthread_mutex_lock(&calls_lock);
    struct worker *w = idle_workers;
    if (w != NULL) {
        idle_workers = w->next_idle;
        __atomic_store_n(&w->call, call, __ATOMIC_RELEASE);
        pthread_cond_signal(&w->wake);
    } else if ((result = start_worker(call)) != PAM_SUCCESS) {
        call->refs = 0;
        pthread_mutex_unlock(&calls_lock);
        if (module_environment)
            pj_environment_leave();
        pthread_cond_destroy(&call->cond);
        pj_environment_free(call->environment);
        pj_call_free(call);
        return result;
    }
    add_in_flight(call);
    if (timeout_ms > 0)
        pj_stops_watch(+1);
    unsigned long seen_continues = pj_stops_seen();
    for (;;) {
        if (call->state == CALL_QUEUED || call->state == CALL_RUNNING) {
            pthread_mutex_unlock(&calls_lock);
            (void)pj_spin_until(caller_needed, call, PJ_SPIN_ANSWER_NS);
            pthread_mutex_lock(&calls_lock);
        }
        if (call->state == CALL_DONE) {
            result = call->result;
            break;
        }
        if (java_ended()) {
            wait_out_libpam(call);
            call->abandoned = 1;
            result = refuse_after_java_ended(call->pamh);
            break;
        }
        if (call->state == CALL_HANDBACK) {
            pthread_mutex_unlock(&calls_lock);
            if (module_environment)
                pj_environment_leave();
            call->handback(call->handback_arg);
            if (module_environment)
                pj_environment_enter(call->environment);
            pthread_mutex_lock(&calls_lock);
            set_state(call, CALL_RUNNING);
            pthread_cond_broadcast(&call->cond);
            if (timeout_ms > 0)
                deadline = pj_now_ns() + budget_ns;     /* the user's typing does not count */
            asked_until = 0;
            continue;
        }
        long now = pj_now_ns();
        if (timeout_ms > 0) {
            unsigned long seen = pj_stops_seen();
            int was_stopped = seen != seen_continues || (asked_until != 0 && now > asked_until + STOP_GAP_NS);
            seen_continues = seen;
            if (deadline == 0 && call->state == CALL_RUNNING)
                deadline = call->running_since_ns + budget_ns;
            if (was_stopped && deadline != 0)
                deadline = now + budget_ns;
            if (deadline != 0 && now >= deadline) {
                wait_out_libpam(call);
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
        struct timespec until;
        asked_until = now + WAIT_SLICE_NS;
        if (deadline != 0 && deadline < asked_until)
            asked_until = deadline;
        timespec_of(&until, asked_until);
        pthread_cond_timedwait(&call->cond, &calls_lock, &until);
    }
    remove_in_flight(call);
    if (timeout_ms > 0)
        pj_stops_watch(-1);
    /* Before host code runs again; a worker still running an abandoned call sees the host's
     * environment from now on (its module timed out or Java ended). */
    if (module_environment)
        pj_environment_leave();
    char **environment = call->environment;
    call->environment = NULL;
    release_call(call);
    pthread_mutex_unlock(&calls_lock);
    pj_descriptors_after_call();    /* before the host can exec: what Java opened is close-on-exec */
    pj_environment_free(environment);
    return result;
}

/* On a worker: run fn(arg) on the caller's thread and wait for it. Returns 0, or -1 if abandoned. */
int pj_handback(struct pj_call *call, void (*fn)(void *), void *arg)
{
    int ok;

    pthread_mutex_lock(&calls_lock);
    if (!call->abandoned) {
        call->handback = fn;
        call->handback_arg = arg;
        set_state(call, CALL_HANDBACK);
        pthread_cond_broadcast(&call->cond);
        pthread_mutex_unlock(&calls_lock);
        (void)pj_spin_until(handback_served, call, PJ_SPIN_ANSWER_NS);
        pthread_mutex_lock(&calls_lock);
        while (call->state == CALL_HANDBACK && !call->abandoned)
            pthread_cond_wait(&call->cond, &calls_lock);
    }
    ok = !call->abandoned;
    pthread_mutex_unlock(&calls_lock);
    return ok ? 0 : -1;
}

/* On a worker, around each libpam call: returns -1 when the caller has gone (pamh is off limits). */
int pj_enter_libpam(struct pj_call *call)
{
    int ok;

    pthread_mutex_lock(&calls_lock);
    ok = !call->abandoned;
    if (ok)
        call->in_libpam = 1;
    pthread_mutex_unlock(&calls_lock);
    return ok ? 0 : -1;
}

void pj_leave_libpam(struct pj_call *call)
{
    pthread_mutex_lock(&calls_lock);
    call->in_libpam = 0;
    pthread_cond_broadcast(&call->cond);
    pthread_mutex_unlock(&calls_lock);
}
