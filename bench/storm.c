/* storm.c: the login storm: N fresh host processes released at once, each exit timed, memory sampled. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include "storm.h"

/*
 * The children are forked first and wait at a gate (each reads a pipe until the parent closes
 * its end), so that all N start at once, as a burst of logins does; released, each execs the
 * host's "once" mode (one transaction, or T in T threads). Spawn to exit is therefore timed from
 * the release, exec included, to the exit as a reaper thread sees it: that thread is blocked in
 * wait4, so an exit is timed when it happens, not at the next sample.
 *
 * Meanwhile the calling thread samples memory: the sum of the live children's RSS plus the
 * service's, keeping the peak. Each /proc/PID/statm is opened once, at the fork, and re-read with
 * pread: no path lookup per sample, and an open file stays with its process (a pid reused after
 * the exit is not read). Reading 256 of them costs a few hundred µs, which the sampler must not
 * take from the storm on a small machine: after each sample it waits its period, or nine times
 * what the sample cost if that is longer (at most a tenth of a CPU). A child that ends between two
 * samples is missed, so the peak is a lower bound; the children's own peaks (ru_maxrss) summed
 * give the upper bound of a storm where all would peak at once.
 *
 * On two cores, 256 runnable children would leave the parent's threads a 257th of a CPU: exits
 * would be timed late, in batches, and samples taken tens of ms apart. As root, both threads run
 * SCHED_FIFO (set after the forks, so the children have the normal policy): they sleep nearly all
 * the time and, woken, run at once. Without root they keep the normal policy and the line says so
 * (realtime=0).
 *
 * The children are one process group, so the deadline can kill what is left of them at once
 * without signalling a pid that was reused.
 */

struct child {
    pid_t pid;              /* 0: never started */
    int statm_fd;           /* the sampler's; -1 once closed */
    atomic_int exited;      /* set by the reaper once the fields below are */
    double exit_us;
    int status;
    struct rusage usage;
};

struct storm {
    struct child *children;
    long n;
    pid_t group;
    double released_us;
    atomic_long reaped;
    atomic_int reaper_done;
};

/* Blocks in wait4 for the storm's children and times each exit. */
static void *reap(void *arg)
{
    struct storm *s = arg;

    while (atomic_load(&s->reaped) < s->n) {
        int status;
        struct rusage usage;
        pid_t pid = wait4(-s->group, &status, 0, &usage);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break; /* no child left (ECHILD): the ones that never started are already counted */
        }
        double at = now_us();
        for (long i = 0; i < s->n; i++) {
            struct child *c = &s->children[i];
            if (c->pid == pid) {
                c->exit_us = at - s->released_us;
                c->status = status;
                c->usage = usage;
                atomic_store(&c->exited, 1);
                atomic_fetch_add(&s->reaped, 1);
                break;
            }
        }
    }
    atomic_store(&s->reaper_done, 1);
    return NULL;
}

/* The resident set (kB) in /proc/PID/statm, read again from the start; 0 when the process is gone. */
static long statm_rss_kb(int fd)
{
    char text[128];
    long size, resident;
    ssize_t got = pread(fd, text, sizeof(text) - 1, 0);

    if (got <= 0)
        return 0;
    text[got] = '\0';
    if (sscanf(text, "%ld %ld", &size, &resident) != 2)
        return 0;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int open_statm(long pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/statm", pid);
    return open(path, O_RDONLY | O_CLOEXEC);
}

/* One sample: the children still running, plus the service; keeps the peaks. */
static void sample(struct storm *s, int service_fd, struct storm_result *r)
{
    long clients = 0, service = service_fd >= 0 ? statm_rss_kb(service_fd) : 0;

    for (long i = 0; i < s->n; i++) {
        struct child *c = &s->children[i];
        if (c->statm_fd < 0)
            continue;
        if (atomic_load(&c->exited)) {
            close(c->statm_fd);
            c->statm_fd = -1;
            continue;
        }
        clients += statm_rss_kb(c->statm_fd);
    }
    if (clients > r->clients_peak_rss_kb)
        r->clients_peak_rss_kb = clients;
    if (service > r->service_peak_rss_kb)
        r->service_peak_rss_kb = service;
    if (clients + service > r->peak_rss_kb)
        r->peak_rss_kb = clients + service;
    r->samples++;
}

/*
 * Reads what is there of the children's shared output pipe (a line each, shorter than PIPE_BUF,
 * so lines do not mix): keeps the first "fail" line, and counts the processes whose "txn_us=..."
 * line says they had more than one thread (a JVM in the process).
 */
static void drain(int fd, struct storm_result *r)
{
    static char pending[1024];
    static size_t used;
    ssize_t got;

    while ((got = read(fd, pending + used, sizeof(pending) - 1 - used)) > 0) {
        used += (size_t)got;
        pending[used] = '\0';
        char *line = pending, *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            const char *threads = strstr(line, " threads=");
            if (r->first_fail[0] == '\0' && strncmp(line, "fail ", 5) == 0)
                snprintf(r->first_fail, sizeof(r->first_fail), "%s", line + 5);
            else if (strncmp(line, "txn_us=", 7) == 0 && threads != NULL && atol(threads + 9) > 1)
                r->jvm_processes++;
            line = nl + 1;
        }
        used = strlen(line);
        memmove(pending, line, used + 1);
        if (used == sizeof(pending) - 1)
            used = 0; /* a line longer than the buffer: not one of ours, drop it */
    }
}

/* The child: joins the group, waits at the gate, becomes the host's "once". Only async-signal-safe calls. */
static void child(pid_t group, int gate_read, int gate_write, int out_write, char *const *argv)
{
    char c;

    setpgid(0, group);
    close(gate_write);
    if (dup2(out_write, STDOUT_FILENO) < 0)
        _exit(127);
    while (read(gate_read, &c, 1) < 0 && errno == EINTR)
        ;
    execv(argv[0], argv);
    _exit(127);
}

/* Room for a statm per child and the pipes. */
static void raise_open_files(long needed)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < (rlim_t)needed) {
        lim.rlim_cur = lim.rlim_max < (rlim_t)needed ? lim.rlim_max : (rlim_t)needed;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
}

static void sleep_us(double us)
{
    long ns = (long)(us * 1e3);
    struct timespec ts = { ns / 1000000000L, ns % 1000000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int run_storm(const struct storm_options *o, struct storm_result *r)
{
    struct storm s = { .n = o->processes };
    int gate[2], out[2], service_fd = o->service_pid > 0 ? open_statm(o->service_pid) : -1;
    pthread_t reaper;

    memset(r, 0, sizeof(*r));
    s.children = calloc((size_t)s.n, sizeof(*s.children));
    r->exit_us = calloc((size_t)s.n, sizeof(*r->exit_us));
    raise_open_files(s.n + 64);
    if (s.children == NULL || r->exit_us == NULL || pipe2(gate, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        perror("host: storm");
        return -1;
    }
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fflush(stdout); /* a forked child must not write the parent's buffered output again */
    for (long i = 0; i < s.n; i++) {
        struct child *c = &s.children[i];
        c->statm_fd = -1;
        c->pid = fork();
        if (c->pid == 0)
            child(s.group, gate[0], gate[1], out[1], o->child_argv);
        if (c->pid < 0) {
            c->pid = 0;
            atomic_store(&c->exited, 1);
            atomic_fetch_add(&s.reaped, 1);
            continue;
        }
        if (s.group == 0)
            s.group = c->pid;
        setpgid(c->pid, s.group); /* as the child does: whichever runs first */
        c->statm_fd = open_statm(c->pid);
    }
    close(out[1]);
    struct sched_param realtime = { .sched_priority = 1 };
    r->realtime = pthread_setschedparam(pthread_self(), SCHED_FIFO, &realtime) == 0; /* the reaper inherits it */
    if (s.group == 0 || pthread_create(&reaper, NULL, reap, &s) != 0) {
        fprintf(stderr, "host: storm: %s\n", s.group == 0 ? "no child could be started" : "no reaper thread");
        return -1;
    }

    double deadline_us = o->deadline_s * 1e6;
    s.released_us = now_us();
    close(gate[1]); /* the release */
    close(gate[0]);
    while (!atomic_load(&s.reaper_done)) {
        double before = now_us();
        sample(&s, service_fd, r);
        drain(out[0], r);
        double cost = now_us() - before, wait = o->sample_ms * 1e3;
        if (before - s.released_us > deadline_us && r->killed == 0) {
            for (long i = 0; i < s.n; i++)
                r->killed += s.children[i].pid > 0 && !atomic_load(&s.children[i].exited);
            kill(-s.group, SIGKILL);
        }
        sleep_us(wait > 9 * cost ? wait : 9 * cost);
    }
    pthread_join(reaper, NULL);
    double ended_us = now_us();
    struct sched_param normal = { .sched_priority = 0 };
    pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal);
    r->sample_period_us = r->samples > 0 ? (ended_us - s.released_us) / (double)r->samples : 0;
    drain(out[0], r);
    close(out[0]);
    if (service_fd >= 0)
        close(service_fd);

    for (long i = 0; i < s.n; i++) {
        struct child *c = &s.children[i];
        if (c->statm_fd >= 0)
            close(c->statm_fd);
        r->exit_us[i] = c->pid > 0 ? c->exit_us : -1;
        if (c->pid > 0 && c->exit_us > r->wall_us)
            r->wall_us = c->exit_us;
        /* A process that died, or exited with what is not a count, lost all its transactions. */
        if (c->pid > 0 && atomic_load(&c->exited) && WIFEXITED(c->status) && WEXITSTATUS(c->status) <= o->threads)
            r->failures += WEXITSTATUS(c->status);
        else
            r->failures += o->threads;
        r->cpu_us += (double)(c->usage.ru_utime.tv_sec + c->usage.ru_stime.tv_sec) * 1e6
                     + (double)(c->usage.ru_utime.tv_usec + c->usage.ru_stime.tv_usec);
        r->sum_maxrss_kb += c->usage.ru_maxrss;
    }
    free(s.children);
    return 0;
}
