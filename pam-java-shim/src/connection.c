/*
 * connection.c: a new connection to the resident service, greeted: the socket checked (root's,
 * in a chain only root can write), connect(2) and the service's greeting within the bounds of
 * connection.h, the listener checked (root), the version handshake (docs/resident-protocol.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <security/pam_modules.h>

#include "clock.h"
#include "config.h"
#include "connection.h"
#include "wire.h"

/*
 * This process's key, sent in every connection's HELLO: the service shares the Java data of a
 * PAM handle (PamHandle.setData) between the connections of one process, and knows a process by
 * it (Java's SO_PEERCRED has no pid). 128 random bits: no other process can name this one's
 * handles, whatever its pid namespace. key_owner is the pid the key is for, minus that pid while
 * a thread makes it: a forked child finds its parent's pid there and makes a key of its own (its
 * modules start with instances and data of their own, as a child's call always has).
 */
static pid_t key_owner;
static uint64_t key[2];

static void make_key(uint64_t out[2])
{
    if (getrandom(out, 2 * sizeof(uint64_t), GRND_NONBLOCK) == 2 * (ssize_t)sizeof(uint64_t))
        return;
    /* No entropy yet (early boot): unique is enough, the socket is root's alone anyway. */
    struct timespec mono, real;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_REALTIME, &real);
    out[0] = ((uint64_t)getpid() << 32) ^ (uint64_t)mono.tv_nsec ^ ((uint64_t)mono.tv_sec << 30);
    out[1] = (uint64_t)real.tv_sec * 1000000000u + (uint64_t)real.tv_nsec;
}

static void process_key(uint64_t out[2])
{
    pid_t me = getpid();

    for (;;) {
        pid_t owner = __atomic_load_n(&key_owner, __ATOMIC_ACQUIRE);
        if (owner == me)
            break;
        if (owner == -me) {
            sched_yield();      /* another thread of this process is making it */
            continue;
        }
        if (__atomic_compare_exchange_n(&key_owner, &owner, -me, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            make_key(key);
            __atomic_store_n(&key_owner, me, __ATOMIC_RELEASE);
            break;
        }
    }
    out[0] = key[0];
    out[1] = key[1];
}

/*
 * The handshake (docs/resident-protocol.md, "Versions"): the service's HELLO, within greeting_ns,
 * carries its version (none: version 1); one that is not PJ_WIRE_VERSION is not spoken to at all
 * (EPROTONOSUPPORT, *version says which it was). Else this side's HELLO with its version and the
 * process key, and the service's RESULT 0 before any CALL, within PJ_CONNECT_MS. 0, or -1 with errno set.
 */
static int handshake(int fd, long greeting_ns, uint32_t *version)
{
    struct pj_in in = { 0 };
    struct pj_out o = { 0 };
    /* Without a spin: the greeting needs the service's accepting thread and then a session's to
     * wake (two wake-ups, 100 us in a cold login on a busy machine), longer than a spin lasts. */
    struct pj_budget wait = { greeting_ns > 0 ? greeting_ns : 1, 0, NULL, NULL, 1 };

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
        /* The handshake has a PJ_CONNECT_MS of its own (docs/resident-protocol.md): a service slow
         * to greet in a login storm answers a HELLO at once once it has. */
        wait = (struct pj_budget){ PJ_CONNECT_MS * 1000000L, 0, NULL, NULL, 0 };
        uint64_t process[2];
        process_key(process);
        pj_out_start(&o, PJ_WIRE_HELLO);
        pj_put_u32(&o, PJ_WIRE_VERSION);
        pj_put_u64(&o, process[0]);
        pj_put_u64(&o, process[1]);
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

/* This process waited PJ_REFUSED_MS on a refusing socket in vain: it does not wait again. */
static int refused_wait_spent;

/*
 * connect(2) within the bounds above: a full backlog (EAGAIN) is retried until deadline_ns; a
 * refusing socket (ECONNREFUSED, and ENOENT after it: a service that binds anew removes the old
 * file first) for PJ_REFUSED_MS when wait_refused and this process has not waited so in vain before.
 */
static int connect_bounded(int fd, const struct sockaddr_un *addr, long deadline_ns, int wait_refused)
{
    long refused_until = pj_now_ns() + (wait_refused && !__atomic_load_n(&refused_wait_spent, __ATOMIC_RELAXED)
                                        ? PJ_REFUSED_MS * 1000000L : 0);
    int refused = 0, rc;

    while ((rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr))) != 0) {
        long now = pj_now_ns();
        if (errno == EAGAIN && now < deadline_ns) {
            usleep(1000);
        } else if ((errno == ECONNREFUSED || (refused && errno == ENOENT)) && now < refused_until) {
            refused = 1;
            usleep(PJ_REFUSED_RETRY_US);
        } else {
            break;
        }
    }
    if (rc != 0 && refused) {
        __atomic_store_n(&refused_wait_spent, 1, __ATOMIC_RELAXED);
        errno = ECONNREFUSED;
    }
    return rc;
}

/* Closes fd keeping errno, and says why in why: -1. */
static int not_connected(int fd, char *why, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int not_connected(int fd, char *why, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, PJ_WHY_MAX, fmt, ap);
    va_end(ap);
    if (fd >= 0)
        close(fd);
    errno = saved;
    return -1;
}

/*
 * A new connection to the service, greeted, or -1: errno and why say why (EPROTONOSUPPORT: it
 * speaks another version, *version). The socket must be root's in a directory chain only root
 * can write, and the listener must be root: a process answering in its place would see
 * passwords. Every wait is bounded: the greeting by greeting_ms from the connect, a refusing
 * socket as connect_bounded says.
 */
int pj_connect_greeted(const char *socket_path, long greeting_ms, int wait_refused, uint32_t *version, char *why)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct ucred peer;
    socklen_t peer_len = sizeof(peer);

    errno = 0;
    if (strlen(socket_path) >= sizeof(addr.sun_path))
        return not_connected(-1, why, "is not used (the path is too long for a Unix socket)");
    strcpy(addr.sun_path, socket_path);
    /* AT_EACCESS: a setuid host (su, sudo) is root by its effective uid only; access(2) would ask
     * for the invoking user, whom the root-only socket directory turns away. */
    if (faccessat(AT_FDCWD, addr.sun_path, F_OK, AT_EACCESS) != 0)
        return not_connected(-1, why, errno == ENOENT ? "is not available (%s: no socket there; the socket unit is"
                             " not enabled, or no systemd runs here, as in a container)" : "is not available (%s)",
                             strerror(errno));
    char problem[PJ_WHY_MAX - 32];
    if (pj_path_trust_problem(addr.sun_path, problem, sizeof(problem))) {
        errno = EPERM;
        return not_connected(-1, why, "is not used (%s)", problem);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return not_connected(-1, why, "is not available (%s)", strerror(errno));
    /* A service that stopped accepting (stopped, or hung) fills its backlog, and a blocking
     * connect would then wait forever: bounded, then in-process. */
    long deadline = pj_now_ns() + greeting_ms * 1000000L;
    if (connect_bounded(fd, &addr, deadline, wait_refused) != 0) {
        if (errno == EAGAIN) {
            errno = ETIMEDOUT;
            return not_connected(fd, why, "is not available (%s: its backlog stayed full for %ld ms)", strerror(errno),
                                 greeting_ms);
        }
        if (errno == ECONNREFUSED)
            return not_connected(fd, why, "is not available (%s: nothing listens on it, retried for %d ms; a service"
                                 " started by hand that died, or is between runs)", strerror(errno),
                                 wait_refused ? PJ_REFUSED_MS : 0);
        return not_connected(fd, why, "is not available (%s)", strerror(errno));
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0
        || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) != 0)
        return not_connected(fd, why, "is not available (%s)", strerror(errno));
    if (peer.uid != 0) {
        errno = EPERM;
        return not_connected(fd, why, "is refused (it runs as uid %d, not root)", (int)peer.uid);
    }
    pj_wire_connected();
    if (handshake(fd, deadline - pj_now_ns(), version) != 0) {
        if (errno == EPROTONOSUPPORT)
            return not_connected(fd, why, "speaks protocol version %u, this pam_java.so version %d", (unsigned)*version,
                                 PJ_WIRE_VERSION);
        if (errno == ETIMEDOUT)
            return not_connected(fd, why, "is not available (%s: no greeting within %ld ms; stopped, hung or"
                                 " overloaded)", strerror(errno), greeting_ms);
        return not_connected(fd, why, "is not available (%s: it closed the connection before its greeting, as at"
                             " its connection limit, or broke the protocol)", strerror(errno));
    }
    return fd;
}

