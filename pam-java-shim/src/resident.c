/*
 * resident.c: the client of pam_java's resident service (pam-java-resident(8)). When pam_java.conf
 * names its socket and the application runs as root, a module instance lives in the service: each
 * PAM call is a CALL frame, the libpam services the module uses come back as REQUESTs that this
 * client answers on the application's own thread (requests.c), and a RESULT ends the call. The
 * wire format is wire.h's; docs/resident-protocol.md is the spec.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <security/pam_ext.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "requests.h"
#include "resident.h"
#include "wire.h"

#ifndef PJ_LIBPAM_VERSION
#error "PJ_LIBPAM_VERSION must be defined by the build"
#endif

_Static_assert(PJ_WIRE_OP_END == PJ_END, "the end hook's op on the wire is enum pj_op's");

/* Where the service listens, and pam_java.so's directory (pj_resident_configure). */
static const char *socket_path = "";
static const char *module_dir = "";

void pj_resident_configure(const char *socket, const char *dir)
{
    socket_path = socket;
    module_dir = dir;
}
/* The bound on each wait before a call has run in the service (connect, greeting, a kept
 * connection's check), and on a liveness probe during one. Generous on purpose: in a login storm
 * a loaded machine greets late (200 concurrent connections on 2 busy cores took over 1 s), and a
 * login that gives up on the service then starts a JVM of its own, which loads the machine
 * further, or fails closed when it was a probe. A service that is really stopped costs this once. */
#define CONNECT_MS 3000

/*
 * How long pam_java.so waits on the service. No wait is without a bound, whatever `timeout` says:
 *  - connecting, the service's greeting, and the check that a kept connection's service still
 *    answers: CONNECT_MS each. Nothing has run in the service yet, so the module runs in-process.
 *  - a call: as long as `timeout` allows (0: as long as the module takes, as in-process), but
 *    after LIVENESS_NS without a byte from the service, pam_java.so checks it is alive: a new
 *    connection must be greeted within CONNECT_MS. A module that is busy passes (the service's
 *    other threads greet), a stopped or hung service does not, and the call then fails closed
 *    (PAM_SERVICE_ERR): the module may have run there, so it is not run again in-process.
 * Like in-process, the time the application spends in its own conversation (the user typing)
 * does not count: only waits for the service use the budget.
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
 * else a PJ_WAIT_ code (PJ_WAIT_TIMED_OUT: it did not answer within CONNECT_MS).
 */
static int kept_connection_answers(int fd)
{
    struct pj_out o = { 0 };
    struct pj_in in = { 0 };
    struct pj_budget b = { CONNECT_MS * 1000000L, 0, NULL, NULL, 0 };

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
 * The handshake (docs/resident-protocol.md, "Versions"): the service's HELLO carries its version
 * (none: version 1); one that is not PJ_WIRE_VERSION is not spoken to at all (EPROTONOSUPPORT,
 * *version says which it was). Else this side's HELLO with its version, and the service's RESULT
 * 0 before any CALL. 0, or -1 with errno set.
 */
static int handshake(int fd, uint32_t *version)
{
    struct pj_in in = { 0 };
    struct pj_out o = { 0 };
    /* Without a spin: the greeting needs the service's accepting thread and then a session's to
     * wake (two wake-ups, 100 us in a cold login on a busy machine), longer than a spin lasts. */
    struct pj_budget wait = { CONNECT_MS * 1000000L, 0, NULL, NULL, 1 };

    /* A live service greets at once; one that is stopped or hung (its backlog still accepts
     * connections) does not, and Java then runs here instead of the PAM call hanging. */
    int rc = pj_receive_frame(fd, &in, &wait);
    int greeted = rc == 0 && pj_get_u8(&in) == PJ_WIRE_HELLO && !in.bad;
    /* Fields after the version are a later version's: a service of this version sends none. */
    *version = greeted && in.len - in.pos >= 4 ? pj_get_u32(&in) : 1;
    pj_in_free(&in);
    if (greeted && *version != PJ_WIRE_VERSION) {
        errno = EPROTONOSUPPORT;
        return -1;
    }
    if (greeted) {
        /* The handshake has a CONNECT_MS of its own, as the greeting had (docs/resident-protocol.md):
         * a service slow to greet in a login storm answers a HELLO at once once it has. */
        wait = (struct pj_budget){ CONNECT_MS * 1000000L, 0, NULL, NULL, 0 };
        pj_out_start(&o, PJ_WIRE_HELLO);
        pj_put_u32(&o, PJ_WIRE_VERSION);
        if ((rc = pj_send_frame(fd, &o, &wait)) == 0 && (rc = pj_receive_frame(fd, &in, &wait)) == 0)
            greeted = pj_get_u8(&in) == PJ_WIRE_RESULT && pj_get_u32(&in) == PAM_SUCCESS && !in.bad
                      && in.pos == in.len;
        pj_in_free(&in);
        pj_out_free(&o);
    }
    if (rc != 0 || !greeted) {
        errno = rc == PJ_WAIT_TIMED_OUT ? ETIMEDOUT : EPROTO;
        return -1;
    }
    return 0;
}

/*
 * A new connection to the service, greeted, or -1 (errno says why; 0: refused as untrusted;
 * EPROTONOSUPPORT: it speaks another version, *version). The socket must be root's in a directory
 * chain only root can write, and the listener must be root: a process answering in its place
 * would see passwords. Every wait is bounded (CONNECT_MS).
 */
static int connect_greeted(pam_handle_t *pamh, uint32_t *version)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct ucred peer;
    socklen_t peer_len = sizeof(peer);

    errno = 0;
    if (strlen(socket_path) >= sizeof(addr.sun_path)) {
        pj_log(pamh, LOG_ERR, "resident_socket %s is too long for a Unix socket", socket_path);
        return -1;
    }
    strcpy(addr.sun_path, socket_path);
    /* AT_EACCESS: a setuid host (su, sudo) is root by its effective uid only; access(2) would ask
     * for the invoking user, whom the root-only socket directory turns away. */
    if (faccessat(AT_FDCWD, addr.sun_path, F_OK, AT_EACCESS) != 0 || !pj_path_is_trusted(pamh, addr.sun_path))
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    /*
     * A service that stopped accepting (stopped, or hung) fills its backlog, and a blocking connect
     * would then wait forever: give it CONNECT_MS, then run in-process.
     */
    int rc;
    long deadline = pj_now_ns() + CONNECT_MS * 1000000L;
    while ((rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr))) != 0 && errno == EAGAIN
           && pj_now_ns() < deadline)
        usleep(1000);
    if (rc != 0 && errno == EAGAIN)
        errno = ETIMEDOUT;      /* its backlog stayed full: it does not accept */
    if (rc != 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0
        || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    if (peer.uid != 0) {
        pj_log(pamh, LOG_ERR, "refusing the resident service at %s: it runs as uid %d, not root",
               socket_path, (int)peer.uid);
        close(fd);
        errno = EPERM;
        return -1;
    }
    pj_wire_connected();
    if (handshake(fd, version) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/*
 * During a long call: whether the service still runs its threads. Only silence says it does not
 * (no greeting, or no accept, within CONNECT_MS). A service that answers by closing the probe (a
 * limit on its connections) is running; one whose listener is gone cannot be asked, and the
 * call's own connection tells if it dies.
 */
static int service_alive(void *pamh)
{
    uint32_t version;
    int fd = connect_greeted(pamh, &version);
    if (fd < 0)
        return errno != ETIMEDOUT;
    close(fd);      /* the service ends that session at once: no call was sent */
    return 1;
}

/*
 * Connects to the service, or returns -1 to run in-process: when no socket is configured, the
 * application is not root by its effective uid (the socket is root's alone), or the service is
 * not there or does not answer (within CONNECT_MS). Nothing has been sent to the service then,
 * so running the module here runs it once.
 */
int pj_resident_connect(pam_handle_t *pamh)
{
    static int told, told_version;
    uint32_t version = 0;
    int fd;

    if (socket_path[0] == '\0' || geteuid() != 0)
        return -1;
    while ((fd = pooled_connection()) >= 0) {
        int rc = kept_connection_answers(fd);
        if (rc == 0)
            return fd;
        close(fd);
        if (rc == PJ_WAIT_TIMED_OUT) {
            /* Open, but silent: the service is stopped or hung, and would not greet a new one either. */
            errno = ETIMEDOUT;
            goto unavailable;
        }
    }
    fd = connect_greeted(pamh, &version);
    if (fd >= 0)
        return fd;
    if (errno == EPERM)
        return -1;      /* said why */
    if (errno == EPROTONOSUPPORT) {
        /* An upgrade half done (pam_java.so and the service of different releases): never a wrong answer. */
        if (!__atomic_exchange_n(&told_version, 1, __ATOMIC_RELAXED))
            pj_log(pamh, LOG_NOTICE, "the resident service at %s speaks protocol version %u, this pam_java.so"
                   " version %d; running Java in this process", socket_path, (unsigned)version, PJ_WIRE_VERSION);
        return -1;
    }
unavailable:
    if (!__atomic_exchange_n(&told, 1, __ATOMIC_RELAXED))
        pj_log(pamh, LOG_NOTICE, "the resident service at %s is not available (%s); running Java in this process",
               socket_path, errno ? strerror(errno) : "untrusted");
    return -1;
}


/*
 * One operation (or the end hook) of the instance on connection fd. A service that fails, goes
 * away or stops answering (see LIVENESS_NS) fails the call closed (PAM_SERVICE_ERR); one that runs out of time gives
 * PAM_AUTHINFO_UNAVAIL, as in-process. Either way the connection is closed and *connection set to -1:
 * the service drops the instance, and later calls of the handle fail closed.
 */
int pj_resident_call(pam_handle_t *pamh, int *connection, enum pj_op op, int flags, int argc, const char **argv,
                     long timeout_ms)
{
    int fd = *connection;
    struct pj_out o = { 0 };
    struct pj_in in = { 0 };
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
        if ((rc = pj_receive_frame(fd, &in, &budget)) != 0) {
            if (rc == PJ_WAIT_FAILED)
                pam_syslog(pamh, LOG_ERR, "the resident service failed during the call");
            goto wait_ended;
        }
        unsigned kind = pj_get_u8(&in);
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
                   " in this process (it may have run in the service)", argv[0], LIVENESS_NS / 1000000, CONNECT_MS);
    } else if (rc == PJ_WAIT_FRAME_STALLED) {
        pam_syslog(pamh, LOG_ERR, "the resident service stopped inside a frame during the call of %s (its rest"
                   " did not come within %ld ms): the call fails, and is not run again in this process (it may"
                   " have run in the service)", argv[0], (long)PJ_WIRE_STALL_MS);
    }
out:
    pj_in_free(&in);
    pj_out_free(&o);
    close(fd);
    *connection = -1;
    return result;
}
