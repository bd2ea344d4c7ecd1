/* descriptors.c: nothing Java opens outlives an exec(2) of the host (the user's shell, say). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "descriptors.h"
#include "log.h"

/*
 * su, login and sshd run the user's program by exec(2), in a child they fork after PAM, and every
 * descriptor without close-on-exec goes with it. HotSpot's own opens set the flag, but the JDK's
 * lib/modules reader, FileInputStream, RandomAccessFile, the zip reader of the jars, NIO files,
 * pipes and sockets do not: the JDK counts on its own process launcher to close what a child
 * should not get. So a module's open secrets file would be readable from the shell su starts.
 *
 * pam_java therefore makes every descriptor close-on-exec after each call into Java, except the
 * host's own: those it held without close-on-exec before the JVM was created, as long as they
 * still refer to the same file (a number the host closed may since have been reused by Java).
 * close_range(2) with CLOSE_RANGE_CLOEXEC sets the flag on a whole range in one system call, so
 * with the usual host (descriptors 0, 1, 2) that is one call and three fstat(2)s, well under a
 * microsecond each, not a listing of /proc/self/fd. Kernels before 5.11 lack the flag: there the
 * descriptors are listed and set one by one after each call. A child the host forks gets the flags
 * set again (below), for what Java threads opened since the last call.
 */
struct host_descriptor {
    int fd;
    dev_t dev;
    ino_t ino;
};

static struct host_descriptor *host;    /* by ascending fd; complete once `watching` is set */
static int host_count, host_size;
static int watching;
static int listing_needed;              /* close_range cannot set close-on-exec (old kernel) */

/* Without /proc (a chroot), descriptors are found by trying each number up to the limit, at most this. */
#define PROBE_MAX 65536

/* Calls fn for each open descriptor of the process (but the listing's own). */
static void for_each_descriptor(void (*fn)(int fd))
{
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *e;

    if (dir != NULL) {
        while ((e = readdir(dir)) != NULL) {
            char *end;
            long fd = strtol(e->d_name, &end, 10);
            if (e->d_name[0] != '.' && *end == '\0' && fd != dirfd(dir))
                fn((int)fd);
        }
        closedir(dir);
        return;
    }
    static int told;
    if (!__atomic_exchange_n(&told, 1, __ATOMIC_RELAXED))
        pj_log(NULL, LOG_NOTICE, "cannot list /proc/self/fd (%s): trying each descriptor number instead",
               strerror(errno));
    struct rlimit limit;
    rlim_t n = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < PROBE_MAX ? limit.rlim_cur : PROBE_MAX;
    for (rlim_t fd = 0; fd < n; fd++)
        if (fcntl((int)fd, F_GETFD) >= 0)
            fn((int)fd);
}

static int remember_failed;

static void remember(int fd)
{
    struct stat st;
    int flags = fcntl(fd, F_GETFD);

    if (flags < 0 || (flags & FD_CLOEXEC) || fstat(fd, &st) != 0)
        return;     /* not open any more, or an exec closes it anyway */
    if (host_count == host_size) {
        int size = host_size ? host_size * 2 : 16;
        struct host_descriptor *bigger = realloc(host, (size_t)size * sizeof(*host));
        if (bigger == NULL) {
            remember_failed = 1;
            return;
        }
        host = bigger;
        host_size = size;
    }
    host[host_count++] = (struct host_descriptor){ fd, st.st_dev, st.st_ino };
}

static void close_on_exec_in_child(void);

static int by_fd(const void *a, const void *b)
{
    return ((const struct host_descriptor *)a)->fd - ((const struct host_descriptor *)b)->fd;
}

/* Called once, just before the JVM is created (under jvm.c's lock): what is the host's. */
int pj_descriptors_before_jvm(void)
{
    for_each_descriptor(remember);
    if (remember_failed) {
        pj_log(NULL, LOG_ERR, "out of memory noting the application's descriptors; not starting Java");
        return -1;
    }
    qsort(host, (size_t)host_count, sizeof(*host), by_fd);
    __atomic_store_n(&watching, 1, __ATOMIC_RELEASE);
    /* pam_java.so is never unloaded (-z nodelete), so the handler stays valid. */
    int err = pthread_atfork(NULL, NULL, close_on_exec_in_child);
    if (err != 0)
        pj_log(NULL, LOG_WARNING, "cannot watch forks (%s): descriptors a module's own threads open"
               " between calls reach a forked child", strerror(err));
    return 0;
}

static int is_host_descriptor(const struct host_descriptor *h)
{
    struct stat st;
    return fstat(h->fd, &st) == 0 && st.st_dev == h->dev && st.st_ino == h->ino;
}

static void set_close_on_exec(int fd)
{
    for (int i = 0; i < host_count; i++)
        if (host[i].fd == fd && is_host_descriptor(&host[i]))
            return;
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC))
        (void)fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* close_range(2) over every number but the host's descriptors: 0, or -1 if the kernel cannot. */
static int close_on_exec_ranges(void)
{
    unsigned from = 0;

    for (int i = 0; i < host_count; i++) {
        if (!is_host_descriptor(&host[i]))
            continue;   /* the number is no longer the host's file: it gets the flag like the rest */
        unsigned fd = (unsigned)host[i].fd;
        if (fd > from && close_range(from, fd - 1, CLOSE_RANGE_CLOEXEC) != 0)
            return -1;
        from = fd + 1;
    }
    return close_range(from, ~0U, CLOSE_RANGE_CLOEXEC);
}

/*
 * In a child the host forks (su's, which executes the shell), where no Java thread runs, the flags
 * are set once more: that covers what a thread a module left running opened since the last call.
 * System calls only: the child of a threaded process must not allocate.
 */
static void close_on_exec_in_child(void)
{
    int saved_errno = errno;
    if (!__atomic_load_n(&listing_needed, __ATOMIC_RELAXED))
        (void)close_on_exec_ranges();
    errno = saved_errno;
}

/* After each call into Java, on the caller's thread: every descriptor but the host's is close-on-exec. */
void pj_descriptors_after_call(void)
{
    if (!__atomic_load_n(&watching, __ATOMIC_ACQUIRE))
        return;
    if (!__atomic_load_n(&listing_needed, __ATOMIC_RELAXED)) {
        if (close_on_exec_ranges() == 0)
            return;
        /* EINVAL or ENOSYS before any change: the kernel predates CLOSE_RANGE_CLOEXEC (5.11). */
        if (!__atomic_exchange_n(&listing_needed, 1, __ATOMIC_RELAXED))
            pj_log(NULL, LOG_NOTICE, "close_range(2) cannot set close-on-exec here (%s): pam_java lists"
                   " /proc/self/fd after each call instead", strerror(errno));
    }
    for_each_descriptor(set_close_on_exec);
}
