/*
 * fuzz_resident.c: the resident client's side of the wire (src/resident.c, connection.c, wire.c, spin.c, requests.c). The input is all the
 * service sends during one PAM call: frames of any length and kind, REQUESTs of every sort for
 * libpam's services (answered through a real libpam handle), LOG frames, RESULT, or garbage and a short end.
 * pj_resident_call must come back with a PAM code and no memory error, whatever arrives.
 *
 * Input: one byte of mode, then the bytes. Mode bit 0 clear: the service sends them paced as the
 * real one does, a frame (by its length prefix) at a time, each after the client's reply to the
 * previous; set: all at once (a service that does not wait, which the client must refuse, but
 * for what follows a LOG frame, which nothing answers).
 */
#define pam_syslog fuzz_pam_syslog
#include "../src/resident.c"
#include "../src/connection.c"
#include "../src/wire.c"
#include "../src/spin.c"
/* resident.c has included services.h already: the stand-in needs its own declaration. */
int fuzz_xauth_set(pam_handle_t *pamh, const char *name, size_t namelen, const char *data, size_t datalen);
#define pj_xauth_set fuzz_xauth_set
#include "../src/requests.c"
#undef pj_xauth_set
#define pj_xauth_set services_xauth_set
#include "../src/services.c"
#undef pj_xauth_set
#include "harness.h"

/*
 * libpam (1.5.2) frees an xauth name or data only when its length is not 0, so an empty one leaks
 * libpam's copy at the next set or at pam_end: libpam's leak, left out here (it would hide others).
 */
int fuzz_xauth_set(pam_handle_t *pamh, const char *name, size_t namelen, const char *data, size_t datalen)
{
    if (name != NULL && (namelen == 0 || datalen == 0))
        return PAM_BAD_ITEM;
    return services_xauth_set(pamh, name, namelen, data, datalen);
}

/* Only pj_resident_connect checks the socket's path; the target starts at the call. */
int pj_path_trust_problem(const char *path, char *why, size_t size)
{
    (void)path;
    (void)why;
    (void)size;
    return 0;
}

struct service_side {
    int fd;
    const uint8_t *data;
    size_t size;
};

static int send_all(int fd, const uint8_t *p, size_t n)
{
    for (size_t done = 0; done < n; ) {
        ssize_t sent = send(fd, p + done, n - done, MSG_NOSIGNAL);
        if (sent <= 0)
            return -1;
        done += (size_t)sent;
    }
    return 0;
}

/* Reads one frame of the client's (a CALL or a REPLY) and drops it; -1 when it closed. */
static int skip_frame(int fd)
{
    unsigned char b[4096];
    if (recv(fd, b, 4, MSG_WAITALL) != 4)
        return -1;
    size_t left = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
    while (left > 0) {
        ssize_t n = recv(fd, b, left < sizeof(b) ? left : sizeof(b), 0);
        if (n <= 0)
            return -1;
        left -= (size_t)n;
    }
    return 0;
}

/* Plays the service: the CALL arrives, then the input goes back (paced or not), then the end. */
static void *service(void *arg)
{
    struct service_side *s = arg;
    int paced = s->size > 0 && (s->data[0] & 1) == 0;
    const uint8_t *p = s->data + (s->size > 0), *end = s->data + s->size;

    if (skip_frame(s->fd) == 0) {
        while (p < end) {
            size_t n = (size_t)(end - p);
            /* A LOG frame is answered by nothing: the next frame follows it at once, as the service sends it. */
            int one_way = n >= 5 && p[4] == PJ_WIRE_LOG;
            if (paced && n >= 4) {
                size_t frame = 4 + ((size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]);
                n = frame < n ? frame : n;
            }
            if (send_all(s->fd, p, n) != 0)
                break;
            p += n;
            if (p < end && !(paced && one_way) && skip_frame(s->fd) != 0)
                break;      /* the client refused the frame (it closed) or ended the call */
        }
    }
    shutdown(s->fd, SHUT_WR);
    while (skip_frame(s->fd) == 0)
        ;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int sv[2];
    pthread_t thread;
    const char *argv[] = { "/fuzz/modules/Module.java", "case=fuzz" };

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    struct service_side side = { sv[1], data, size };
    if (pthread_create(&thread, NULL, service, &side) != 0)
        abort();
    pam_handle_t *pamh = fuzz_pam_start();
    int connection = sv[0];
    int rc = pj_resident_call(pamh, &connection, PJ_AUTHENTICATE, 0, 2, argv, 0);
    if (connection >= 0)
        close(connection);      /* a clean RESULT keeps it; the pool is not exercised here */
    pthread_join(thread, NULL);
    close(sv[1]);
    pam_end(pamh, rc);
    return 0;
}
