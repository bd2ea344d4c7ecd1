/*
 * resident.c: the client of pam_java's resident service (pam-java-resident(8)). When pam_java.conf
 * names its socket and the application runs as root, a module instance lives in the service: each
 * PAM call is a CALL frame, the libpam services the module uses come back as REQUESTs that this
 * client answers on the application's own thread (requests.c), what the module logs comes as LOG
 * frames that it writes with pam_syslog(3) there, and a RESULT ends the call. The wire format is
 * wire.h's; docs/resident-protocol.md is the spec.
 */
#include <errno.h>
#include <stdio.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <security/pam_ext.h>

#include "clock.h"
#include "config.h"
#include "connection.h"
#include "log.h"
#include "requests.h"
#include "services.h"
#include "resident.h"
#include "wire.h"

#ifndef PJ_LIBPAM_VERSION
#error "PJ_LIBPAM_VERSION must be defined by the build"
#endif

_Static_assert(PJ_WIRE_OP_END == PJ_END, "the end hook's op on the wire is enum pj_op's");
/* A conversation's replies (each with a length and a code) always fit one REPLY frame. */
_Static_assert(PJ_MAX_REPLIES_BYTES + PAM_MAX_NUM_MSG * 16 + 64 < PJ_WIRE_MAX_FRAME,
               "the largest conversation reply fits a frame");

/* Where the service listens, and pam_java.so's directory (pj_resident_configure). */
static const char *socket_path = "";
static const char *module_dir = "";

void pj_resident_configure(const char *socket, const char *dir)
{
    socket_path = socket;
    module_dir = dir;
}

/*
 * How long pam_java.so waits on the service during a call: as long as `timeout` allows (0: as
 * long as the module takes, as in-process), but after LIVENESS_NS without a byte from the
 * service, pam_java.so checks it is alive: a new connection must be greeted within PJ_CONNECT_MS.
 * A module that is busy passes (the service's other threads greet), a stopped or hung service
 * does not, and the call then fails closed (PAM_SERVICE_ERR): the module may have run there, so
 * it is not run again in-process. Like in-process, the time the application spends in its own
 * conversation (the user typing) does not count: only waits for the service use the budget.
 */
#define LIVENESS_NS (2 * 1000000000L)

static int service_alive(void *pamh);

/*
 * Connections outlive their PAM handle. At pam_end the instance ends (op END) and its connection
 * waits here for the process's next handle: a connect, the service's greeting and the start of
 * its session cost more than a whole warm transaction's calls. The pool is this process's alone:
 * a forked child closes its copies at once (the fork handler), and a descriptor is used again
 * only while it is still the same socket (a host may close descriptors it does not know and
 * reuse their numbers) and the service has not closed it. One idle for POOL_MAX_AGE_NS is closed
 * instead: the service drops connections idle for longer (ResidentSession.IDLE_MILLIS), and
 * taking one just as it does would fail the call.
 *
 * The lock is only ever tried: a thread that finds it taken connects or closes instead. So a
 * fork that happens while another thread holds it cannot leave the child waiting forever.
 */
#define POOL_SIZE 4
#define POOL_MAX_AGE_NS (PJ_WIRE_IDLE_MS / 2 * 1000000L)

struct pooled {
    int fd;
    dev_t dev;
    ino_t ino;
    long since_ns;
};

static struct pooled pool[POOL_SIZE];
static int pool_count;
static int pool_taken;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static int pool_try_lock(void)
{
    return !__atomic_exchange_n(&pool_taken, 1, __ATOMIC_ACQUIRE);
}

static void pool_unlock(void)
{
    __atomic_store_n(&pool_taken, 0, __ATOMIC_RELEASE);
}

/* A child must not share its parent's connections: the two would interleave their frames. */
static void close_pool_in_child(void)
{
    for (int i = 0; i < pool_count; i++)
        close(pool[i].fd);
    pool_count = 0;
    pool_unlock();
}

static void watch_forks(void)
{
    /* pam_java.so is never unloaded (-z nodelete), so the handler stays valid. */
    pthread_atfork(NULL, NULL, close_pool_in_child);
}

static int same_socket(int fd, const struct pooled *c)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == c->dev && st.st_ino == c->ino;
}

/* A connection left by an ended handle of this process, or -1. */
static int pooled_connection(void)
{
    int fd = -1;

    if (!pool_try_lock())
        return -1;
    long now = pj_now_ns();
    while (fd < 0 && pool_count > 0) {
        struct pooled c = pool[--pool_count];
        struct pollfd pfd = { c.fd, POLLIN, 0 };
        if (!same_socket(c.fd, &c))
            continue;       /* closed under us: the number is no longer ours to close */
        /* Readable means the service closed it (or sent something unasked): either way, not usable. */
        if (now - c.since_ns > POOL_MAX_AGE_NS || poll(&pfd, 1, 0) != 0)
            close(c.fd);
        else
            fd = c.fd;
    }
    pool_unlock();
    return fd;
}

/* Ends this process's use of a connection whose instance ended cleanly: kept for the next handle. */
void pj_resident_release(int fd)
{
    struct pooled c = { fd, 0, 0, pj_now_ns() };
    struct stat st;

    pthread_once(&pool_once, watch_forks);
    /* A process that is no longer root (it dropped privileges) keeps no way into the root service. */
    if (geteuid() == 0 && fstat(fd, &st) == 0 && pool_try_lock()) {
        if (pool_count < POOL_SIZE) {
            c.dev = st.st_dev;
            c.ino = st.st_ino;
            pool[pool_count++] = c;
            fd = -1;
        }
        pool_unlock();
    }
    if (fd >= 0)
        close(fd);
}

/*
 * Whether the service still answers on a kept connection, before a call is sent on it: "not
 * readable" only says the service has not closed it, and a stopped service would hold the call.
 * An END on a connection with no instance is answered at once and runs nothing. 0: it answered;
 * else a PJ_WAIT_ code (PJ_WAIT_TIMED_OUT: it did not answer within PJ_CONNECT_MS).
 */
static int kept_connection_answers(int fd)
{
    struct pj_out o = { 0 };
    struct pj_in in = { 0 };
    struct pj_budget b = { PJ_CONNECT_MS * 1000000L, 0, NULL, NULL, 0 };

    pj_out_start(&o, PJ_WIRE_CALL);
    pj_put_u8(&o, PJ_END);
    pj_put_u32(&o, 0);
    pj_put_u64(&o, 0);
    pj_put_cstr(&o, module_dir);
    pj_put_cstr(&o, PJ_LIBPAM_VERSION);
    pj_put_u32(&o, 1);
    pj_put_cstr(&o, "");
    int rc = pj_send_frame(fd, &o, &b);
    if (rc == 0 && (rc = pj_receive_frame(fd, &in, &b)) == 0
        && !(pj_get_u8(&in) == PJ_WIRE_RESULT && pj_get_u32(&in) == PAM_SUCCESS && !in.bad && in.pos == in.len))
        rc = PJ_WAIT_FAILED;
    pj_in_free(&in);
    pj_out_free(&o);
    return rc;
}

/*
 * During a long call: whether the service still runs its threads. Only silence says it does not
 * (no greeting, or no accept, within PJ_CONNECT_MS). A service that answers by closing the probe (a
 * limit on its connections) is running; one whose listener is gone cannot be asked, and the
 * call's own connection tells if it dies.
 */
static int service_alive(void *pamh)
{
    uint32_t version;
    char why[PJ_WHY_MAX];
    (void)pamh;
    int fd = pj_connect_greeted(socket_path, PJ_CONNECT_MS, 0, &version, why);
    if (fd < 0)
        return errno != ETIMEDOUT;
    close(fd);      /* the service ends that session at once: no call was sent */
    return 1;
}

/*
 * The one line per process that says why the resident path, configured, is not taken: the
 * reason and the socket, once, whatever the reason and however many calls follow (each would
 * say the same; an administrator reads why once).
 */
static void running_in_process(pam_handle_t *pamh, const char *why)
{
    static int told;

    if (!__atomic_exchange_n(&told, 1, __ATOMIC_RELAXED))
        pj_log(pamh, LOG_NOTICE, "the resident service at %s %s; running Java in this process", socket_path, why);
}

/*
 * Connects to the service, or returns -1 to run in-process: when no socket is configured, the
 * application is not root by its effective uid (the socket is root's alone), or the service is
 * not there, is not trusted or does not answer (within the bounds above). Nothing has been sent
 * to the service then, so running the module here runs it once. Every reason but the first
 * (nothing configured) is said once per process (running_in_process).
 */
int pj_resident_connect(pam_handle_t *pamh)
{
    char why[PJ_WHY_MAX];
    uint32_t version = 0;
    int fd;

    if (socket_path[0] == '\0')
        return -1;
    if (geteuid() != 0) {
        snprintf(why, sizeof(why), "is not for this process (it runs as uid %d, euid %d: the service is root's alone)",
                 (int)getuid(), (int)geteuid());
        running_in_process(pamh, why);
        return -1;
    }
    while ((fd = pooled_connection()) >= 0) {
        int rc = kept_connection_answers(fd);
        if (rc == 0)
            return fd;
        close(fd);
        if (rc == PJ_WAIT_TIMED_OUT) {
            /* Open, but silent: the service is stopped or hung, and would not greet a new one either. */
            snprintf(why, sizeof(why), "is not available (%s: a kept connection got no answer within %d ms; stopped,"
                     " hung or overloaded)", strerror(ETIMEDOUT), PJ_CONNECT_MS);
            running_in_process(pamh, why);
            return -1;
        }
    }
    fd = pj_connect_greeted(socket_path, PJ_GREETING_MS, 1, &version, why);
    if (fd < 0)
        running_in_process(pamh, why);
    return fd;
}

/*
 * One operation (or the end hook) of the instance on connection fd. A service that fails, goes
 * away or stops answering (see LIVENESS_NS) fails the call closed (PAM_SERVICE_ERR); one that runs out of
 * time gives PAM_AUTHINFO_UNAVAIL, as in-process. Either way the connection is closed and *connection set to -1:
 * the service drops the instance, and later calls of the handle fail closed.
 */
int pj_resident_call(pam_handle_t *pamh, int *connection, enum pj_op op, int flags, int argc, const char **argv,
                     long timeout_ms)
{
    int fd = *connection;
    struct pj_out o = { 0 };
    struct pj_in in = { 0 };
    struct pj_carry carry = { .len = 0 };
    struct pj_budget budget = { timeout_ms > 0 ? timeout_ms * 1000000L : -1, LIVENESS_NS, service_alive, pamh, 0 };
    int result = PAM_SERVICE_ERR, rc;

    pj_out_start(&o, PJ_WIRE_CALL);
    pj_put_u8(&o, (unsigned)op);
    pj_put_u32(&o, (uint32_t)flags);
    pj_put_u64(&o, (uint64_t)(uintptr_t)pamh);
    pj_put_cstr(&o, module_dir);
    pj_put_cstr(&o, PJ_LIBPAM_VERSION);
    pj_put_u32(&o, (uint32_t)argc);
    for (int i = 0; i < argc; i++)
        pj_put_cstr(&o, argv[i]);
    if ((rc = pj_send_frame(fd, &o, &budget)) != 0) {
        if (rc == PJ_WAIT_FAILED)
            pam_syslog(pamh, LOG_ERR, "cannot send the call to the resident service: %s",
                       o.failed ? "out of memory" : strerror(errno));
        goto wait_ended;
    }
    for (;;) {
        if ((rc = pj_receive_frame_carried(fd, &in, &budget, &carry)) != 0) {
            if (rc == PJ_WAIT_FAILED)
                pam_syslog(pamh, LOG_ERR, "the resident service failed during the call");
            goto wait_ended;
        }
        unsigned kind = pj_get_u8(&in);
        if (kind == PJ_WIRE_LOG) {
            /* One-way: the next frame may have come with it (and only after a LOG frame). */
            pj_write_log_record(pamh, &in);
            if (in.bad)
                break;
            pj_in_free(&in);
            continue;
        }
        if (carry.len > 0) {
            in.bad = 1;     /* a frame sent before the last one was answered */
            break;
        }
        if (kind == PJ_WIRE_RESULT) {
            uint32_t code = pj_get_u32(&in);
            if (!in.bad)
                result = (int)code;
            break;
        }
        if (kind != PJ_WIRE_REQUEST || in.bad) {
            in.bad = 1;
            break;
        }
        pj_answer_request(pamh, pj_get_u8(&in), &in, &o);
        if (in.bad) {
            pam_syslog(pamh, LOG_ERR, "the resident service sent a bad request");
            goto out;
        }
        if ((rc = pj_send_frame(fd, &o, &budget)) != 0) {
            if (rc == PJ_WAIT_FAILED)
                pam_syslog(pamh, LOG_ERR, "the resident service went away during the call");
            goto wait_ended;
        }
        pj_in_free(&in);
    }
    if (!in.bad) {
        pj_in_free(&in);
        pj_out_free(&o);
        explicit_bzero(&carry, sizeof(carry));
        return result;
    }
    pam_syslog(pamh, LOG_ERR, "the resident service sent a malformed frame");
    result = PAM_SERVICE_ERR;
    goto out;
wait_ended:
    if (rc == PJ_WAIT_TIMED_OUT) {
        pam_syslog(pamh, LOG_ERR, "the Java module %s did not finish within %ld ms", argv[0], timeout_ms);
        result = PAM_AUTHINFO_UNAVAIL;
    } else if (rc == PJ_WAIT_SERVICE_HUNG) {
        pam_syslog(pamh, LOG_ERR, "the resident service stopped answering during the call of %s (silent for %ld ms,"
                   " and it did not greet a new connection within %d ms): the call fails, and is not run again"
                   " in this process (it may have run in the service)", argv[0], LIVENESS_NS / 1000000, PJ_CONNECT_MS);
    } else if (rc == PJ_WAIT_FRAME_STALLED) {
        pam_syslog(pamh, LOG_ERR, "the resident service stopped inside a frame during the call of %s (its rest"
                   " did not come within %ld ms): the call fails, and is not run again in this process (it may"
                   " have run in the service)", argv[0], (long)PJ_WIRE_STALL_MS);
    }
out:
    pj_in_free(&in);
    pj_out_free(&o);
    explicit_bzero(&carry, sizeof(carry));
    close(fd);
    *connection = -1;
    return result;
}
