/* wire.c: the resident protocol's frames, built, sent, received and read (wire.h). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "spin.h"
#include "wire.h"

static void put(struct pj_out *o, const void *data, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n > PJ_WIRE_MAX_FRAME + 4) {
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

void pj_put_u8(struct pj_out *o, unsigned v)
{
    unsigned char b = (unsigned char)v;
    put(o, &b, 1);
}

void pj_put_u32(struct pj_out *o, uint32_t v)
{
    unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };
    put(o, b, 4);
}

void pj_put_u64(struct pj_out *o, uint64_t v)
{
    pj_put_u32(o, (uint32_t)(v >> 32));
    pj_put_u32(o, (uint32_t)v);
}

void pj_put_str(struct pj_out *o, const char *s, size_t len)
{
    if (s == NULL) {
        pj_put_u32(o, PJ_WIRE_NULL_LENGTH);
        return;
    }
    pj_put_u32(o, (uint32_t)len);
    put(o, s, len);
}

void pj_put_cstr(struct pj_out *o, const char *s)
{
    pj_put_str(o, s, s != NULL ? strlen(s) : 0);
}

void pj_out_start(struct pj_out *o, unsigned kind)
{
    o->len = 0;
    o->failed = 0;
    pj_put_u32(o, 0);      /* the length, filled in by send_frame */
    pj_put_u8(o, kind);
}

void pj_out_free(struct pj_out *o)
{
    if (o->p != NULL) {
        explicit_bzero(o->p, o->cap);
        free(o->p);
    }
}

static const unsigned char *take(struct pj_in *in, size_t n)
{
    if (in->bad || in->len - in->pos < n) {
        in->bad = 1;
        return NULL;
    }
    in->pos += n;
    return in->p + in->pos - n;
}

unsigned pj_get_u8(struct pj_in *in)
{
    const unsigned char *b = take(in, 1);
    return b ? b[0] : 0;
}

uint32_t pj_get_u32(struct pj_in *in)
{
    const unsigned char *b = take(in, 4);
    return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}

/* A NUL-terminated malloc'd copy, or NULL for a null string (or on failure: check in->bad). */
char *pj_get_str(struct pj_in *in, size_t *len_out)
{
    uint32_t len = pj_get_u32(in);
    if (in->bad || len == PJ_WIRE_NULL_LENGTH)
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

void pj_in_free(struct pj_in *in)
{
    if (in->p != NULL) {
        explicit_bzero(in->p, in->len);
        free(in->p);
    }
    in->p = NULL;
}

/*
 * Sleeps until fd may be ready for `events`, the budget's end, or the next liveness check:
 * 0 (look again), or one of the PJ_WAIT_ codes. *quiet_since: when the service last sent a byte.
 */
static int wait_for(int fd, short events, struct pj_budget *b, long start, long *quiet_since)
{
    long now = pj_now_ns();
    long waited = now - start;

    if (b->left_ns >= 0 && waited >= b->left_ns)
        return PJ_WAIT_TIMED_OUT;
    if (b->alive != NULL && now - *quiet_since >= b->liveness_ns) {
        if (!b->alive(b->alive_arg))
            return PJ_WAIT_SERVICE_HUNG;
        *quiet_since = pj_now_ns();
        return 0;
    }
    long limit = b->alive != NULL ? b->liveness_ns - (now - *quiet_since) : -1;
    if (b->left_ns >= 0 && (limit < 0 || b->left_ns - waited < limit))
        limit = b->left_ns - waited;
    struct pollfd pfd = { fd, events, 0 };
    if (poll(&pfd, 1, limit < 0 ? -1 : (int)((limit + 999999) / 1000000)) < 0 && errno != EINTR)
        return PJ_WAIT_FAILED;
    return 0;
}

static void spend(struct pj_budget *b, long start)
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
 * without this. So a read spins first (clock.h) before it polls, as the in-process hand-offs do,
 * when this thread's back-off (spin.h) says spinning has been paying off.
 */
static __thread struct pj_spin_policy answer_spin;

void pj_wire_connected(void)
{
    if (!pj_spin_cpu_free())
        pj_spin_back_off_fully(&answer_spin);
}

struct attempt {
    int fd;
    unsigned char *p;
    size_t room;
    ssize_t got;
    int error;
};

/* One non-blocking read: whether it got anything or failed (not: nothing there yet). */
static int attempt_read(void *arg)
{
    struct attempt *a = arg;
    a->got = recv(a->fd, a->p, a->room, MSG_DONTWAIT);
    a->error = a->got < 0 ? errno : 0;
    return !(a->got < 0 && (a->error == EAGAIN || a->error == EWOULDBLOCK));
}

/*
 * Once a frame has begun, the rest must follow within FRAME_STALL_NS, as the service requires of
 * the application's frames (ResidentSession): the service writes a frame whole, and one that
 * stops inside it (while its other threads still greet the liveness probe, or that trickles a
 * byte now and then) would otherwise hold a call with `timeout = 0` for ever.
 */
#define FRAME_STALL_NS (PJ_WIRE_STALL_MS * 1000000L)

/*
 * Reads at least `need` bytes into p, and up to `room` if they are there already (*got: how many).
 * in_frame: the frame began before this read (its length was read). 0, or one of the PJ_WAIT_ codes.
 */
static int read_at_least(int fd, unsigned char *p, size_t need, size_t room, size_t *got_total, struct pj_budget *b,
                         int in_frame)
{
    long start = pj_now_ns();
    long quiet_since = start;
    long frame_began = in_frame ? start : -1;
    int spun = 0, rc = 0;

    *got_total = 0;
    while (*got_total < need) {
        struct attempt a = { fd, p + *got_total, room - *got_total, 0, 0 };
        if (!attempt_read(&a) && !spun) {
            spun = 1;       /* at most once per wait: after a sleep, what woke it is there */
            if (!b->no_spin && pj_spin_should(&answer_spin)) {
                int answered = pj_spin_until(attempt_read, &a, PJ_SPIN_ANSWER_NS);
                if (answered >= 0)
                    pj_spin_outcome(&answer_spin, answered);
            }
        }
        ssize_t got = a.got;
        errno = a.error;
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
            rc = PJ_WAIT_FAILED;
            break;
        }
        if (frame_began >= 0 && pj_now_ns() - frame_began >= FRAME_STALL_NS) {
            rc = PJ_WAIT_FRAME_STALLED;    /* wait_for wakes at least every liveness_ns to get here */
            break;
        }
        if ((rc = wait_for(fd, POLLIN, b, start, &quiet_since)) != 0)
            break;
    }
    spend(b, start);
    return rc;
}

/* The rest of a frame whose length has been read. */
static int read_frame_rest(int fd, unsigned char *p, size_t n, struct pj_budget *b)
{
    size_t got;
    return read_at_least(fd, p, n, n, &got, b, 1);
}

/* Sends the frame whole: 0, or one of the PJ_WAIT_ codes (a stopped service stops reading, too). */
int pj_send_frame(int fd, struct pj_out *o, struct pj_budget *b)
{
    long start = pj_now_ns();
    long quiet_since = start;
    int rc = 0;

    if (o->failed)
        return PJ_WAIT_FAILED;
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
            rc = PJ_WAIT_FAILED;
        }
    }
    spend(b, start);
    return rc;
}

/*
 * The next frame. Its length and, most often, the whole of it come in one read; what came past
 * it (the next frame's start, after a LOG frame) stays in *c for the next read.
 */
int pj_receive_frame_carried(int fd, struct pj_in *in, struct pj_budget *b, struct pj_carry *c)
{
    size_t got = c->len;
    int rc = 0;
    if (got < 4) {
        size_t more;
        rc = read_at_least(fd, c->p + got, 4 - got, sizeof(c->p) - got, &more, b, got > 0);
        got += more;
    }
    c->len = got;
    if (rc != 0)
        return rc;
    uint32_t len = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
    size_t early = got - 4;
    size_t mine = early < len ? early : len;
    in->p = len >= 1 && len <= PJ_WIRE_MAX_FRAME ? malloc(len) : NULL;
    in->len = len;
    in->pos = 0;
    in->bad = 0;
    if (in->p != NULL) {
        memcpy(in->p, c->p + 4, mine);
        rc = mine < len ? read_frame_rest(fd, in->p + mine, len - mine, b) : 0;
    }
    c->len = early - mine;
    memmove(c->p, c->p + 4 + mine, c->len);
    explicit_bzero(c->p + c->len, sizeof(c->p) - c->len);     /* a request may carry a password */
    return in->p != NULL ? rc : PJ_WAIT_FAILED;
}

/* One frame and nothing after it: the service sends no frame before this one is answered. */
int pj_receive_frame(int fd, struct pj_in *in, struct pj_budget *b)
{
    struct pj_carry c = { .len = 0 };
    int rc = pj_receive_frame_carried(fd, in, b, &c);
    if (rc == 0 && c.len > 0) {
        explicit_bzero(&c, sizeof(c));
        pj_in_free(in);
        return PJ_WAIT_FAILED;      /* more than one frame at once */
    }
    return rc;
}
