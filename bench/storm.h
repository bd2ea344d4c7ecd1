/* storm.h: the login storm's parent (storm.c), used by the benchmark's host (host.c). */
#ifndef BENCH_STORM_H
#define BENCH_STORM_H

#include <time.h>

struct storm_options {
    long processes;            /* host processes, released at once */
    long threads;              /* transactions in each (the child's --threads) */
    char *const *child_argv;   /* what each child execs: this host in mode "once" */
    long service_pid;          /* > 0: the resident service, whose RSS counts with the children's */
    double sample_ms;          /* the sampler's period (longer while a sample costs more, see storm.c) */
    double deadline_s;         /* children still running then are killed (failures) */
};

struct storm_result {
    double wall_us;            /* from the release to the last exit */
    double *exit_us;           /* per process: release to its exit; < 0 for one that never started */
    long failures;             /* transactions that did not succeed, of processes that failed or died */
    long killed;               /* processes killed at the deadline */
    long jvm_processes;        /* processes that had more than one thread after their transaction (a JVM) */
    double cpu_us;             /* the children's CPU time, all threads, user + system */
    long peak_rss_kb;          /* the peak over time of the sum of the children's RSS and the service's */
    long clients_peak_rss_kb;  /* the peak of the children's sum alone */
    long service_peak_rss_kb;  /* the service's own peak (0: none) */
    long sum_maxrss_kb;        /* the sum of each child's own peak (ru_maxrss) */
    long samples;
    double sample_period_us;   /* the mean period the sampler achieved */
    int realtime;              /* the sampler and the reaper ran SCHED_FIFO (root) */
    char first_fail[256];      /* the first "fail ..." line a child printed, without "fail " */
};

/* Runs one storm; 0, or -1 (with a message on stderr) when it could not be set up at all. */
int run_storm(const struct storm_options *options, struct storm_result *result);

static inline double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

#endif
