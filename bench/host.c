/* host.c: the benchmark's PAM application: times full PAM transactions and measures memory. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <security/pam_appl.h>
#include "storm.h"

/*
 * One transaction is what a login does: pam_start_confdir, authenticate, acct_mgmt,
 * open_session, close_session, pam_end, against a private configuration directory (no root,
 * /etc/pam.d untouched). Every step must succeed: a variant that fails fast would look fast.
 *
 * Modes (each prints one line per measurement, "key=value" fields, for bench/report.py):
 *   cold N SERVICE    N fresh processes (this program, mode "once"), one transaction each; the
 *                     time is spawn to exit as the parent sees it, with the child's CPU time (all
 *                     its threads, user + system) and its own figures
 *   warm N SERVICE    N transactions in this process, the time of each
 *   memory N SERVICE  N transactions in this process; RSS and threads after 1, 10, 100, ... and N
 *   storm N SERVICE   N processes ("once") released at once (storm.c), as a burst of sshd/su
 *                     logins starts them: the time from the release until the last has exited and
 *                     each one's, the failures, the peak of the sum of their RSS and the service's
 *                     (sampled every --sample-ms, 2 ms), their CPU time; those still running after
 *                     --deadline seconds (300) are killed and fail
 *   once SERVICE      one transaction, then its time, RSS and threads (the child of "cold");
 *                     with --threads T, T transactions at once in T threads (the exit status is
 *                     the number that failed), a storm's child that models logins in one process
 */

static const char usage[] =
    "usage: host --confdir DIR [--user USER] [--answer TEXT] [--threads T] [--sample-ms MS] [--deadline S]\n"
    "            cold|warm|memory|storm N SERVICE\n"
    "       host --confdir DIR [--user USER] [--answer TEXT] [--threads T] once SERVICE\n";

extern char **environ;

static const char *confdir, *user = "bench", *answer = "bench-secret";
static long threads_per_process = 1;   /* --threads: transactions at once in each "once" process */
static double storm_sample_ms = 2;     /* --sample-ms: the storm's memory sampler's period */
static double storm_deadline_s = 300;  /* --deadline: a storm's processes still running then are killed */
#define MOST_THREADS 250               /* the failures must fit an exit status */

/* Answers every prompt with the fixed answer; informational messages get no text. */
static int converse(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
    struct pam_response *r = calloc((size_t)n, sizeof(*r));

    (void)data;
    if (r == NULL)
        return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF && msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
            continue;
        if ((r[i].resp = strdup(answer)) == NULL) {
            for (int j = 0; j < i; j++)
                free(r[j].resp);
            free(r);
            return PAM_BUF_ERR;
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

/* One full transaction; returns 0, or prints which step failed and returns -1. */
static int transaction(const char *service)
{
    struct pam_conv conv = { converse, NULL };
    pam_handle_t *pamh = NULL;
    const char *step = "pam_start_confdir";
    int rc = pam_start_confdir(service, user, &conv, confdir, &pamh);

    if (rc == PAM_SUCCESS && (step = "pam_authenticate", rc = pam_authenticate(pamh, 0)) == PAM_SUCCESS
        && (step = "pam_acct_mgmt", rc = pam_acct_mgmt(pamh, 0)) == PAM_SUCCESS
        && (step = "pam_open_session", rc = pam_open_session(pamh, 0)) == PAM_SUCCESS)
        step = "pam_close_session", rc = pam_close_session(pamh, 0);
    if (rc != PAM_SUCCESS)
        printf("fail service=%s step=%s rc=%d %s\n", service, step, rc, pam_strerror(pamh, rc));
    if (pamh != NULL) {
        int end_rc = pam_end(pamh, rc);
        if (end_rc != PAM_SUCCESS && rc == PAM_SUCCESS) {
            printf("fail service=%s step=pam_end rc=%d\n", service, end_rc);
            rc = end_rc;
        }
    }
    fflush(stdout);
    return rc == PAM_SUCCESS ? 0 : -1;
}

/* VmRSS (kB) and Threads of this process, from /proc/self/status. */
static void process_status(long *rss_kb, long *threads)
{
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");

    *rss_kb = *threads = -1;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        sscanf(line, "VmRSS: %ld", rss_kb);
        sscanf(line, "Threads: %ld", threads);
    }
    if (f != NULL)
        fclose(f);
}

static void *transaction_thread(void *service)
{
    return transaction(service) == 0 ? NULL : service;
}

/* T transactions at once, one per thread; returns how many failed (one that cannot start fails). */
static int concurrent_transactions(const char *service)
{
    pthread_t *tids = calloc((size_t)threads_per_process, sizeof(*tids));
    char *started = calloc((size_t)threads_per_process, 1);
    int failed = 0;

    if (tids == NULL || started == NULL) {
        free(tids);
        free(started);
        return (int)threads_per_process;
    }
    for (long i = 0; i < threads_per_process; i++) {
        started[i] = pthread_create(&tids[i], NULL, transaction_thread, (void *)service) == 0;
        failed += !started[i];
    }
    for (long i = 0; i < threads_per_process; i++) {
        void *result = NULL;
        if (started[i] && (pthread_join(tids[i], &result) != 0 || result != NULL))
            failed++;
    }
    free(tids);
    free(started);
    return failed;
}

static int run_once(const char *service)
{
    long rss, threads;
    double start = now_us();

    if (threads_per_process > 1) {
        int failed = concurrent_transactions(service);
        if (failed != 0)
            return failed;
    } else if (transaction(service) != 0)
        return 1;
    double took = now_us() - start;
    process_status(&rss, &threads);
    printf("txn_us=%.1f rss_kb=%ld threads=%ld\n", took, rss, threads);
    return 0;
}

/*
 * CPU time of the resident service (all its threads), in microseconds, when the variant runs its
 * module there (PAM_JAVA_BENCH_SERVICE_PID, set by run.sh); -1 otherwise. A transaction's CPU is
 * then the application's plus the service's. schedstat counts nanoseconds, finer than the clock
 * ticks of /proc/PID/stat; a thread that ends between two readings would take its time with it,
 * but the service keeps a connection's thread while the connection lasts.
 */
static double service_cpu_us(void)
{
    const char *pid_text = getenv("PAM_JAVA_BENCH_SERVICE_PID");
    long pid = pid_text != NULL ? atol(pid_text) : 0;
    char path[320], line[128];
    double total = 0;

    if (pid <= 0)
        return -1;
    snprintf(path, sizeof(path), "/proc/%ld/task", pid);
    DIR *tasks = opendir(path);
    if (tasks == NULL)
        return -1;
    for (struct dirent *e; (e = readdir(tasks)) != NULL; ) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/%ld/task/%s/schedstat", pid, e->d_name);
        FILE *f = fopen(path, "r");
        if (f != NULL && fgets(line, sizeof(line), f) != NULL)
            total += strtod(line, NULL) / 1e3;
        if (f != NULL)
            fclose(f);
    }
    closedir(tasks);
    return total;
}

/* " service_cpu_us=X" since the reading `before`, or nothing when there is no service. */
static void print_service_cpu(const char *key, double before, double per)
{
    if (before >= 0)
        printf(" %s=%.1f", key, (service_cpu_us() - before) / per);
}

/* The parent of "cold": each child runs "once"; its line comes back through a pipe. */
static int run_cold(long n, const char *service, const char *self)
{
    char *argv[] = { (char *)self, "--confdir", (char *)confdir, "--user", (char *)user, "--answer",
                     (char *)answer, "once", (char *)service, NULL };
    char out[512];

    for (long i = 0; i < n; i++) {
        int fds[2], status;
        pid_t pid;
        struct rusage ru;
        posix_spawn_file_actions_t actions;

        if (pipe(fds) != 0) {
            perror("host: pipe");
            return 1;
        }
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        posix_spawn_file_actions_addclose(&actions, fds[1]);
        double start = now_us(), service_before = service_cpu_us();
        int err = posix_spawn(&pid, self, &actions, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        close(fds[1]);
        if (err != 0) {
            fprintf(stderr, "host: cannot start %s: %s\n", self, strerror(err));
            close(fds[0]);
            return 1;
        }
        /* The child's line is tiny: it fits the pipe, so reading after the wait cannot block it. */
        while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
            ;
        double took = now_us() - start;
        ssize_t got = read(fds[0], out, sizeof(out) - 1);
        close(fds[0]);
        out[got > 0 ? got : 0] = '\0';
        out[strcspn(out, "\n")] = '\0';
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strncmp(out, "txn_us=", 7) != 0) {
            printf("fail service=%s cold child status=%d: %s\n", service, status, out);
            return 1;
        }
        double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6
                     + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
        printf("cold service=%s wall_us=%.1f cpu_us=%.0f %s maxrss_kb=%ld", service, took, cpu, out, ru.ru_maxrss);
        print_service_cpu("service_cpu_us", service_before, 1);
        printf("\n");
        fflush(stdout);
    }
    return 0;
}

/* CPU time (user + system) of the whole process, all threads, in microseconds. */
static double process_cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6
           + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/*
 * Also reports the process's CPU time per transaction over the steady part (the transactions
 * after the first fifth, which report.py keeps): threads that run beside the caller (the JVM's,
 * a pam_java worker spinning for the next call) count there, not in the wall time.
 */
static int run_warm(long n, const char *service)
{
    long rss, threads, steady_from = n / 5 > 1 ? n / 5 : 1;
    double steady_cpu = 0, steady_service_cpu = -1;

    for (long i = 1; i <= n; i++) {
        double start = now_us();
        if (i == steady_from + 1) {
            steady_cpu = process_cpu_us();
            steady_service_cpu = service_cpu_us();
        }
        if (transaction(service) != 0)
            return 1;
        printf("warm service=%s i=%ld txn_us=%.1f\n", service, i, now_us() - start);
        if (i == 1 || i == n) {
            process_status(&rss, &threads);
            printf("mem service=%s after=%ld rss_kb=%ld threads=%ld\n", service, i, rss, threads);
        }
    }
    if (n > steady_from) {
        printf("cpu service=%s txns=%ld cpu_us_per_txn=%.1f", service, n - steady_from,
               (process_cpu_us() - steady_cpu) / (double)(n - steady_from));
        print_service_cpu("service_cpu_us_per_txn", steady_service_cpu, (double)(n - steady_from));
        printf("\n");
    }
    return 0;
}

/* Only the figures after 1, 10, 100, ... and N transactions: printing each would cost time. */
static int run_memory(long n, const char *service)
{
    long rss, threads, next = 1;
    double start = now_us();

    for (long i = 1; i <= n; i++) {
        if (transaction(service) != 0)
            return 1;
        if (i == next || i == n) {
            process_status(&rss, &threads);
            printf("mem service=%s after=%ld rss_kb=%ld threads=%ld elapsed_us=%.0f\n", service, i, rss, threads,
                   now_us() - start);
            fflush(stdout);
            if (i == next)
                next *= 10;
        }
    }
    return 0;
}

/*
 * The login storm (storm.c): N processes released at once, each "once" (T transactions in T
 * threads with --threads). Prints the storm's figures, then each process's time from the release
 * to its exit, then the first failure a child printed, if any.
 */
static int run_storm_mode(long n, const char *service, const char *self)
{
    char threads_text[24];
    snprintf(threads_text, sizeof(threads_text), "%ld", threads_per_process);
    char *argv[] = { (char *)self, "--confdir", (char *)confdir, "--user", (char *)user, "--answer",
                     (char *)answer, "--threads", threads_text, "once", (char *)service, NULL };
    const char *pid_text = getenv("PAM_JAVA_BENCH_SERVICE_PID");
    struct storm_options options = { n, threads_per_process, argv, pid_text != NULL ? atol(pid_text) : 0,
                                     storm_sample_ms, storm_deadline_s };
    struct storm_result r;
    double service_before = service_cpu_us();

    if (run_storm(&options, &r) != 0)
        return 1;
    printf("storm service=%s processes=%ld threads=%ld wall_us=%.0f failures=%ld killed=%ld jvm_processes=%ld "
           "cpu_us=%.0f peak_rss_kb=%ld clients_peak_rss_kb=%ld service_peak_rss_kb=%ld sum_maxrss_kb=%ld "
           "samples=%ld sample_period_us=%.0f realtime=%d", service, n, threads_per_process, r.wall_us, r.failures, r.killed,
           r.jvm_processes, r.cpu_us, r.peak_rss_kb, r.clients_peak_rss_kb, r.service_peak_rss_kb, r.sum_maxrss_kb,
           r.samples, r.sample_period_us, r.realtime);
    print_service_cpu("service_cpu_us", service_before, 1);
    printf("\nstormtimes service=%s processes=%ld threads=%ld exit_us=", service, n, threads_per_process);
    for (long i = 0, first = 1; i < n; i++) {
        if (r.exit_us[i] >= 0) {
            printf("%s%.0f", first ? "" : ",", r.exit_us[i]);
            first = 0;
        }
    }
    printf("\n");
    if (r.first_fail[0] != '\0')
        printf("stormfail service=%s processes=%ld threads=%ld first: %s\n", service, n, threads_per_process,
               r.first_fail);
    free(r.exit_us);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    char self[4096];
    int i = 1;

    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--confdir") == 0) confdir = argv[i + 1];
        else if (strcmp(argv[i], "--user") == 0) user = argv[i + 1];
        else if (strcmp(argv[i], "--answer") == 0) answer = argv[i + 1];
        else if (strcmp(argv[i], "--threads") == 0) threads_per_process = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--sample-ms") == 0) storm_sample_ms = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--deadline") == 0) storm_deadline_s = atof(argv[i + 1]);
        else break;
    }
    if (confdir == NULL || i >= argc || threads_per_process < 1 || threads_per_process > MOST_THREADS
        || !(storm_sample_ms > 0) || !(storm_deadline_s > 0))
        goto bad_usage;
    if (strcmp(argv[i], "once") == 0 && i + 2 == argc)
        return run_once(argv[i + 1]);
    if (i + 3 != argc)
        goto bad_usage;

    char *end;
    long n = strtol(argv[i + 1], &end, 10);
    const char *service = argv[i + 2];
    if (*end != '\0' || n < 1)
        goto bad_usage;
    if (strcmp(argv[i], "cold") == 0 || strcmp(argv[i], "storm") == 0) {
        ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (len <= 0 || (size_t)len >= sizeof(self) - 1) {
            perror("host: /proc/self/exe");
            return 1;
        }
        self[len] = '\0';
        return strcmp(argv[i], "cold") == 0 ? run_cold(n, service, self) : run_storm_mode(n, service, self);
    }
    if (strcmp(argv[i], "warm") == 0)
        return run_warm(n, service);
    if (strcmp(argv[i], "memory") == 0)
        return run_memory(n, service);
bad_usage:
    fputs(usage, stderr);
    return 2;
}
