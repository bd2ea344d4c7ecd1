/*
 * resident.c: the client of pam_java's resident service (pam-java-resident(8)). When pam_java.conf
 * names its socket and the application runs as root, a module instance lives in the service: each
 * PAM call is a CALL frame, the libpam services the module uses come back as REQUESTs that this
 * file answers on the application's own thread, and a RESULT ends the call. The wire format is
 * org.pamjava.resident.ResidentProtocol's; keep the two equal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <security/pam_ext.h>

#include "pam_java.h"

#ifndef PJ_LIBPAM_VERSION
#error "PJ_LIBPAM_VERSION must be defined by the build"
#endif

extern struct pj_config pj_config;
extern char pj_module_dir[PATH_MAX];

enum { CALL = 1, REPLY = 2, REQUEST = 3, RESULT = 4, HELLO = 5 };
enum { GET_ITEM = 1, SET_ITEM, GET_XAUTH, SET_XAUTH, GET_ENV, PUT_ENV, GET_ENV_LIST, CONVERSATION,
       FAIL_DELAY, GET_USER, STRERROR, LOG };
#define MAX_FRAME (1u << 20)
/* The bound on each wait before a call has run in the service (connect, greeting, a kept
 * connection's check), and on a liveness probe during one. Generous on purpose: in a login storm
 * a loaded machine greets late (200 concurrent connections on 2 busy cores took over 1 s), and a
 * login that gives up on the service then starts a JVM of its own, which loads the machine
 * further, or fails closed when it was a probe. A service that is really stopped costs this once. */
#define CONNECT_MS 3000
#define NULL_LENGTH 0xffffffffu

/* Frames being built: a failed allocation or an oversized frame marks the buffer failed. */
struct out {
    unsigned char *p;
    size_t len, cap;
    int failed;
};

static void put(struct out *o, const void *data, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n > MAX_FRAME + 4) {
        o->failed = 1;
        return;
    }
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->len + n)
            cap *= 2;
        unsigned char *p = malloc(cap);
        if (p == NULL) {
            o->failed = 1;
            return;
        }
        if (o->p != NULL) {
            memcpy(p, o->p, o->len);
            explicit_bzero(o->p, o->cap);   /* it may hold a password */
            free(o->p);
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, data, n);
    o->len += n;
}

static void put_u8(struct out *o, unsigned v)
{
    unsigned char b = (unsigned char)v;
    put(o, &b, 1);
}

static void put_u32(struct out *o, uint32_t v)
{
    unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };
    put(o, b, 4);
}

static void put_u64(struct out *o, uint64_t v)
{
    put_u32(o, (uint32_t)(v >> 32));
    put_u32(o, (uint32_t)v);
}

static void put_str(struct out *o, const char *s, size_t len)
{
    if (s == NULL) {
        put_u32(o, NULL_LENGTH);
        return;
    }
    put_u32(o, (uint32_t)len);
    put(o, s, len);
}

static void put_cstr(struct out *o, const char *s)
{
    put_str(o, s, s != NULL ? strlen(s) : 0);
}

static void out_start(struct out *o, unsigned kind)
{
    o->len = 0;
    o->failed = 0;
    put_u32(o, 0);      /* the length, filled in by send_frame */
    put_u8(o, kind);
}

static void out_free(struct out *o)
{
    if (o->p != NULL) {
        explicit_bzero(o->p, o->cap);
        free(o->p);
    }
}

/* A frame read whole; a short or malformed one marks it bad. */
struct in {
    unsigned char *p;
    size_t len, pos;
    int bad;
};

static const unsigned char *take(struct in *in, size_t n)
{
    if (in->bad || in->len - in->pos < n) {
        in->bad = 1;
        return NULL;
    }
    in->pos += n;
    return in->p + in->pos - n;
}

static unsigned get_u8(struct in *in)
{
    const unsigned char *b = take(in, 1);
    return b ? b[0] : 0;
}

static uint32_t get_u32(struct in *in)
{
    const unsigned char *b = take(in, 4);
    return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}

/* A NUL-terminated malloc'd copy, or NULL for a null string (or on failure: check in->bad). */
static char *get_str(struct in *in, size_t *len_out)
{
    uint32_t len = get_u32(in);
    if (in->bad || len == NULL_LENGTH)
        return NULL;
    const unsigned char *b = take(in, len);
    char *s = b != NULL ? malloc((size_t)len + 1) : NULL;
    if (s == NULL) {
        in->bad = 1;
        return NULL;
    }
    memcpy(s, b, len);
    s[len] = '\0';
    if (len_out != NULL)
        *len_out = len;
    return s;
}

static void in_free(struct in *in)
{
    if (in->p != NULL) {
        explicit_bzero(in->p, in->len);
        free(in->p);
    }
    in->p = NULL;
}

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

struct budget {
    long left_ns;           /* < 0: no limit (then pamh is set: the service's liveness bounds the wait) */
    pam_handle_t *pamh;     /* set: check the service is alive after LIVENESS_NS of silence */
};

static int service_alive(pam_handle_t *pamh);

/* The waits' results: the connection failed or closed; the budget ran out; the service is not alive;
 * it stopped inside a frame. */
enum { WAIT_FAILED = -1, WAIT_TIMED_OUT = -2, WAIT_SERVICE_HUNG = -3, WAIT_FRAME_STALLED = -4 };

/*
 * Sleeps until fd may be ready for `events`, the budget's end, or the next liveness check:
 * 0 (look again), or one of the WAIT_ codes. *quiet_since: when the service last sent a byte.
 */
static int wait_for(int fd, short events, struct budget *b, long start, long *quiet_since)
{
    long now = pj_now_ns();
    long waited = now - start;

    if (b->left_ns >= 0 && waited >= b->left_ns)
        return WAIT_TIMED_OUT;
    if (b->pamh != NULL && now - *quiet_since >= LIVENESS_NS) {
        if (!service_alive(b->pamh))
            return WAIT_SERVICE_HUNG;
        *quiet_since = pj_now_ns();
        return 0;
    }
    long limit = b->pamh != NULL ? LIVENESS_NS - (now - *quiet_since) : -1;
    if (b->left_ns >= 0 && (limit < 0 || b->left_ns - waited < limit))
        limit = b->left_ns - waited;
    struct pollfd pfd = { fd, events, 0 };
    if (poll(&pfd, 1, limit < 0 ? -1 : (int)((limit + 999999) / 1000000)) < 0 && errno != EINTR)
        return WAIT_FAILED;
    return 0;
}

static void spend(struct budget *b, long start)
{
    if (b->left_ns >= 0) {
        b->left_ns -= pj_now_ns() - start;
        if (b->left_ns < 0)
            b->left_ns = 0;
    }
}

/*
 * A reply usually comes within microseconds, and sleeping in poll costs more than that: a
 * wake-up and two context switches each way, most of a warm transaction through the service
 * without this. So a wait spins first, for REPLY_SPIN_NS at most, as pam_java's in-process
 * hand-offs do (workers.c), and only where there is another CPU for the service to run on.
 */
#define REPLY_SPIN_NS 60000L

/*
 * Once a frame has begun, the rest must follow within FRAME_STALL_NS, as the service requires of
 * the application's frames (ResidentSession): the service writes a frame whole, and one that
 * stops inside it (while its other threads still greet the liveness probe, or that trickles a
 * byte now and then) would otherwise hold a call with `timeout = 0` for ever.
 */
#define FRAME_STALL_NS (10 * 1000000000L)

/*
 * Reads at least `need` bytes into p, and up to `room` if they are there already (*got: how many).
 * in_frame: the frame began before this read (its length was read). 0, or one of the WAIT_ codes.
 */
static int read_at_least(int fd, unsigned char *p, size_t need, size_t room, size_t *got_total, struct budget *b,
                         int in_frame)
{
    long start = pj_now_ns();
    long quiet_since = start;
    long frame_began = in_frame ? start : -1;
    long spin_until = pj_may_spin() ? start + REPLY_SPIN_NS : 0;
    int rc = 0;

    *got_total = 0;
    while (*got_total < need) {
        ssize_t got = recv(fd, p + *got_total, room - *got_total, MSG_DONTWAIT);
        if (got > 0) {
            *got_total += (size_t)got;
            quiet_since = pj_now_ns();
            if (frame_began < 0)
                frame_began = quiet_since;
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            rc = WAIT_FAILED;
            break;
        }
        if (pj_now_ns() < spin_until) {
            pj_cpu_relax();
            continue;
        }
        if (frame_began >= 0 && pj_now_ns() - frame_began >= FRAME_STALL_NS) {
            rc = WAIT_FRAME_STALLED;    /* wait_for wakes at least every LIVENESS_NS to get here */
            break;
        }
        if ((rc = wait_for(fd, POLLIN, b, start, &quiet_since)) != 0)
            break;
    }
    spend(b, start);
    return rc;
}

/* The rest of a frame whose length has been read. */
static int read_frame_rest(int fd, unsigned char *p, size_t n, struct budget *b)
{
    size_t got;
    return read_at_least(fd, p, n, n, &got, b, 1);
}

/* Sends the frame whole: 0, or one of the WAIT_ codes (a stopped service stops reading, too). */
static int send_frame(int fd, struct out *o, struct budget *b)
{
    long start = pj_now_ns();
    long quiet_since = start;
    int rc = 0;

    if (o->failed)
        return WAIT_FAILED;
    uint32_t len = (uint32_t)(o->len - 4);
    o->p[0] = len >> 24; o->p[1] = len >> 16; o->p[2] = len >> 8; o->p[3] = len;
    for (size_t done = 0; done < o->len && rc == 0; ) {
        /* MSG_NOSIGNAL: a service that went away must not raise SIGPIPE in the application. */
        ssize_t n = send(fd, o->p + done, o->len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            done += (size_t)n;
            quiet_since = pj_now_ns();
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            rc = wait_for(fd, POLLOUT, b, start, &quiet_since);
        } else {
            rc = WAIT_FAILED;
        }
    }
    spend(b, start);
    return rc;
}

/*
 * The next frame. Its length and, most often, the whole of it come in one read: the service never
 * sends a frame before the previous one is answered, so whatever arrived belongs to this frame.
 */
static int receive_frame(int fd, struct in *in, struct budget *b)
{
    unsigned char first[512];
    size_t got;
    int rc = read_at_least(fd, first, 4, sizeof(first), &got, b, 0);
    if (rc != 0)
        return rc;
    uint32_t len = (uint32_t)first[0] << 24 | (uint32_t)first[1] << 16 | (uint32_t)first[2] << 8 | first[3];
    size_t early = got - 4;
    in->p = len >= 1 && len <= MAX_FRAME && early <= len ? malloc(len) : NULL;
    in->len = len;
    in->pos = 0;
    in->bad = 0;
    if (in->p != NULL) {
        memcpy(in->p, first + 4, early);
        rc = read_frame_rest(fd, in->p + early, len - early, b);
    }
    explicit_bzero(first, got);     /* a request may carry a password */
    return in->p != NULL ? rc : WAIT_FAILED;
}

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
#define POOL_MAX_AGE_NS (30 * 1000000000L)

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
 * else a WAIT_ code (WAIT_TIMED_OUT: it did not answer within CONNECT_MS).
 */
static int kept_connection_answers(int fd)
{
    struct out o = { 0 };
    struct in in = { 0 };
    struct budget b = { CONNECT_MS * 1000000L, NULL };

    out_start(&o, CALL);
    put_u8(&o, PJ_END);
    put_u32(&o, 0);
    put_u64(&o, 0);
    put_cstr(&o, pj_module_dir);
    put_cstr(&o, PJ_LIBPAM_VERSION);
    put_u32(&o, 1);
    put_cstr(&o, "");
    int rc = send_frame(fd, &o, &b);
    if (rc == 0 && (rc = receive_frame(fd, &in, &b)) == 0
        && !(get_u8(&in) == RESULT && get_u32(&in) == PAM_SUCCESS && !in.bad && in.pos == in.len))
        rc = WAIT_FAILED;
    in_free(&in);
    out_free(&o);
    return rc;
}

/*
 * A new connection to the service, greeted, or -1 (errno says why; 0: refused as untrusted).
 * The socket must be root's in a directory chain only root can write, and the listener must be
 * root: a process answering in its place would see passwords. Every wait is bounded (CONNECT_MS).
 */
static int connect_greeted(pam_handle_t *pamh)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct ucred peer;
    socklen_t peer_len = sizeof(peer);

    errno = 0;
    if (strlen(pj_config.resident_socket) >= sizeof(addr.sun_path)) {
        pj_log(pamh, LOG_ERR, "resident_socket %s is too long for a Unix socket", pj_config.resident_socket);
        return -1;
    }
    strcpy(addr.sun_path, pj_config.resident_socket);
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
               pj_config.resident_socket, (int)peer.uid);
        close(fd);
        errno = EPERM;
        return -1;
    }
    /* A live service greets at once; one that is stopped or hung (its backlog still accepts
     * connections) does not, and Java then runs here instead of the PAM call hanging. */
    struct in hello = { 0 };
    struct budget wait = { CONNECT_MS * 1000000L, NULL };
    rc = receive_frame(fd, &hello, &wait);
    int greeted = rc == 0 && get_u8(&hello) == HELLO && !hello.bad;
    in_free(&hello);
    if (!greeted) {
        close(fd);
        errno = rc == WAIT_TIMED_OUT ? ETIMEDOUT : EPROTO;
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
static int service_alive(pam_handle_t *pamh)
{
    int fd = connect_greeted(pamh);
    if (fd < 0)
        return errno != ETIMEDOUT;
    close(fd);      /* the service ends that session at once: nothing was sent */
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
    static int told;
    int fd;

    if (pj_config.resident_socket[0] == '\0' || geteuid() != 0)
        return -1;
    while ((fd = pooled_connection()) >= 0) {
        int rc = kept_connection_answers(fd);
        if (rc == 0)
            return fd;
        close(fd);
        if (rc == WAIT_TIMED_OUT) {
            /* Open, but silent: the service is stopped or hung, and would not greet a new one either. */
            errno = ETIMEDOUT;
            goto unavailable;
        }
    }
    fd = connect_greeted(pamh);
    if (fd >= 0)
        return fd;
    if (errno == EPERM)
        return -1;      /* said why */
unavailable:
    if (!__atomic_exchange_n(&told, 1, __ATOMIC_RELAXED))
        pj_log(pamh, LOG_NOTICE, "the resident service at %s is not available (%s); running Java in this process",
               pj_config.resident_socket, errno ? strerror(errno) : "untrusted");
    return -1;
}


/* The reply to one request: runs the libpam service on this (the application's) thread. */
static void answer(pam_handle_t *pamh, unsigned what, struct in *rq, struct out *o)
{
    char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    const void *item = NULL;
    int rc;

    out_start(o, REPLY);
    switch (what) {
    case GET_ITEM: {
        int type = (int)get_u32(rq);
        rc = rq->bad ? PAM_SYSTEM_ERR : !pj_string_item(type) ? PAM_BAD_ITEM : pam_get_item(pamh, type, &item);
        put_u32(o, (uint32_t)rc);
        put_cstr(o, rc == PAM_SUCCESS ? item : NULL);
        break;
    }
    case SET_ITEM: {
        int type = (int)get_u32(rq);
        a = get_str(rq, NULL);
        /* libpam lower-cases a new service name in place: NULL would crash the application. */
        rc = rq->bad ? PAM_SYSTEM_ERR : !pj_string_item(type) || (type == PAM_SERVICE && a == NULL) ? PAM_BAD_ITEM
           : pam_set_item(pamh, type, a);
        put_u32(o, (uint32_t)rc);
        break;
    }
    case GET_XAUTH: {
        rc = pam_get_item(pamh, PAM_XAUTHDATA, &item);
        const struct pam_xauth_data *x = rc == PAM_SUCCESS ? item : NULL;
        put_u32(o, (uint32_t)rc);
        if (x != NULL && x->name != NULL) {
            put_str(o, x->name, pj_xauth_name_length(x));
            put_str(o, x->data ? x->data : "", x->data ? (size_t)x->datalen : 0);
        } else {
            put_str(o, NULL, 0);
            put_str(o, NULL, 0);
        }
        break;
    }
    case SET_XAUTH: {
        a = get_str(rq, &alen);
        b = get_str(rq, &blen);
        struct pam_xauth_data x = { (int)alen, a, (int)blen, b != NULL ? b : (a != NULL ? "" : NULL) };
        put_u32(o, (uint32_t)(rq->bad ? PAM_SYSTEM_ERR : pj_set_xauth(pamh, &x)));
        break;
    }
    case GET_ENV: {
        a = get_str(rq, NULL);
        const char *value = rq->bad || a == NULL ? NULL : pam_getenv(pamh, a);
        put_u32(o, rq->bad || a == NULL ? PAM_SYSTEM_ERR : PAM_SUCCESS);
        put_cstr(o, value);
        break;
    }
    case PUT_ENV:
        a = get_str(rq, NULL);
        put_u32(o, (uint32_t)(rq->bad || a == NULL ? PAM_SYSTEM_ERR : pam_putenv(pamh, a)));
        break;
    case GET_ENV_LIST: {
        char **list = pam_getenvlist(pamh);
        uint32_t n = 0;
        while (list != NULL && list[n] != NULL)
            n++;
        put_u32(o, list != NULL ? PAM_SUCCESS : PAM_BUF_ERR);
        put_u32(o, n);
        for (uint32_t i = 0; i < n; i++) {
            put_cstr(o, list[i]);
            pj_wipe_free(list[i]);
        }
        free(list);
        break;
    }
    case CONVERSATION: {
        uint32_t n = get_u32(rq);
        struct pam_message msgs[PAM_MAX_NUM_MSG];
        const struct pam_message *ptrs[PAM_MAX_NUM_MSG];
        struct pam_response *responses = NULL;
        uint32_t got = 0;
        rc = n >= 1 && n <= PAM_MAX_NUM_MSG ? PAM_SUCCESS : PAM_CONV_ERR;
        while (rc == PAM_SUCCESS && got < n) {
            msgs[got].msg_style = (int)get_u32(rq);
            msgs[got].msg = get_str(rq, NULL);
            ptrs[got] = &msgs[got];
            if (rq->bad || msgs[got++].msg == NULL)
                rc = PAM_SYSTEM_ERR;
        }
        if (rc == PAM_SUCCESS)
            rc = pj_converse(pamh, (int)n, ptrs, &responses);
        put_u32(o, (uint32_t)rc);
        for (uint32_t i = 0; rc == PAM_SUCCESS && i < n; i++) {
            put_cstr(o, responses[i].resp);
            put_u32(o, (uint32_t)responses[i].resp_retcode);
        }
        /* Replies hold what the user typed: wipe them before they go back to the allocator. */
        for (uint32_t i = 0; responses != NULL && i < n; i++)
            pj_wipe_free(responses[i].resp);
        free(responses);
        for (uint32_t i = 0; i < got; i++)
            free((char *)msgs[i].msg);
        break;
    }
    case FAIL_DELAY: {
        uint32_t usec = get_u32(rq);
        put_u32(o, (uint32_t)(rq->bad ? PAM_SYSTEM_ERR : pam_fail_delay(pamh, usec)));
        break;
    }
    case GET_USER:
        a = get_str(rq, NULL);
        rc = rq->bad ? PAM_SYSTEM_ERR : pj_get_user_copy(pamh, a, &b);
        put_u32(o, (uint32_t)rc);
        put_cstr(o, rc == PAM_SUCCESS ? b : NULL);
        break;
    case STRERROR: {
        int errnum = (int)get_u32(rq);
        put_u32(o, PAM_SUCCESS);
        put_cstr(o, rq->bad ? NULL : pam_strerror(pamh, errnum));
        break;
    }
    case LOG: {
        int priority = (int)get_u32(rq);
        a = get_str(rq, NULL);
        if (!rq->bad && a != NULL)
            pj_log(pamh, priority & LOG_PRIMASK, "%s", a);
        put_u32(o, rq->bad ? PAM_SYSTEM_ERR : PAM_SUCCESS);
        break;
    }
    default:
        rq->bad = 1;
    }
    pj_wipe_free(a);
    pj_wipe_free(b);
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
    struct out o = { 0 };
    struct in in = { 0 };
    struct budget budget = { timeout_ms > 0 ? timeout_ms * 1000000L : -1, pamh };
    int result = PAM_SERVICE_ERR, rc;

    out_start(&o, CALL);
    put_u8(&o, (unsigned)op);
    put_u32(&o, (uint32_t)flags);
    put_u64(&o, (uint64_t)(uintptr_t)pamh);
    put_cstr(&o, pj_module_dir);
    put_cstr(&o, PJ_LIBPAM_VERSION);
    put_u32(&o, (uint32_t)argc);
    for (int i = 0; i < argc; i++)
        put_cstr(&o, argv[i]);
    if ((rc = send_frame(fd, &o, &budget)) != 0) {
        if (rc == WAIT_FAILED)
            pam_syslog(pamh, LOG_ERR, "cannot send the call to the resident service: %s",
                       o.failed ? "out of memory" : strerror(errno));
        goto wait_ended;
    }
    for (;;) {
        if ((rc = receive_frame(fd, &in, &budget)) != 0) {
            if (rc == WAIT_FAILED)
                pam_syslog(pamh, LOG_ERR, "the resident service failed during the call");
            goto wait_ended;
        }
        unsigned kind = get_u8(&in);
        if (kind == RESULT) {
            uint32_t code = get_u32(&in);
            if (!in.bad)
                result = (int)code;
            break;
        }
        if (kind != REQUEST || in.bad) {
            in.bad = 1;
            break;
        }
        answer(pamh, get_u8(&in), &in, &o);
        if (in.bad) {
            pam_syslog(pamh, LOG_ERR, "the resident service sent a bad request");
            goto out;
        }
        if ((rc = send_frame(fd, &o, &budget)) != 0) {
            if (rc == WAIT_FAILED)
                pam_syslog(pamh, LOG_ERR, "the resident service went away during the call");
            goto wait_ended;
        }
        in_free(&in);
    }
    if (!in.bad) {
        in_free(&in);
        out_free(&o);
        return result;
    }
    pam_syslog(pamh, LOG_ERR, "the resident service sent a malformed frame");
    result = PAM_SERVICE_ERR;
    goto out;
wait_ended:
    if (rc == WAIT_TIMED_OUT) {
        pam_syslog(pamh, LOG_ERR, "the Java module %s did not finish within %ld ms", argv[0], timeout_ms);
        result = PAM_AUTHINFO_UNAVAIL;
    } else if (rc == WAIT_SERVICE_HUNG) {
        pam_syslog(pamh, LOG_ERR, "the resident service stopped answering during the call of %s (silent for %ld ms,"
                   " and it did not greet a new connection within %d ms): the call fails, and is not run again"
                   " in this process (it may have run in the service)", argv[0], LIVENESS_NS / 1000000, CONNECT_MS);
    } else if (rc == WAIT_FRAME_STALLED) {
        pam_syslog(pamh, LOG_ERR, "the resident service stopped inside a frame during the call of %s (its rest"
                   " did not come within %ld ms): the call fails, and is not run again in this process (it may"
                   " have run in the service)", argv[0], FRAME_STALL_NS / 1000000);
    }
out:
    in_free(&in);
    out_free(&o);
    close(fd);
    *connection = -1;
    return result;
}
