/* pam_host.c: a PAM application for tests and the demo: runs operations on PAM transactions. */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <security/pam_appl.h>

static const char usage[] =
    "usage: pam_host [--confdir DIR] [--user U] [--item NAME=VALUE]... [--env NAME=VALUE]...\n"
    "                [--echo] [--null-replies] [--reply-markers] [--reply-size N] [--threads N] [--repeat N]\n"
    "                [--stats-every N] [--fail-delay]\n"
    "                [--signals] [--hold FILE] SERVICE OPERATION...\n"
    "OPERATION: auth setcred acct open close chauthtok end end:STATUS maps; prefix 2: to use a second\n"
    "transaction. Item values may use \\xHH escapes. Probes: sleep:MS, env (Java variables), files (JVM files in /tmp), locale,\n"
    "forkauth (a forked child authenticates and ends), raise (send signals to the process),\n"
    "nofile (the soft and hard RLIMIT_NOFILE),\n"
    "resident (the inodes of this process's connections to a socket named resident.sock).\n"
    "After end, the transaction's next operation starts a new one. exec PROGRAM ARGS... (the last\n"
    "operation) replaces the host with PROGRAM, as su does with the user's shell (without pam_end).\n"
    "With --hold FILE, the host opens FILE without close-on-exec before PAM starts and prints \"hold <fd>\";\n"
    "the operation unhold closes it. forkexec PROGRAM ARGS... (last) runs PROGRAM in a forked child and\n"
    "waits for it. touch:FILE creates FILE; waitfor:FILE waits until FILE exists (\"waitfor timeout\"\n"
    "after 60 s): a handshake with a module's own thread.\n"
    "With --fail-delay: the application's PAM_FAIL_DELAY function prints \"faildelay <status> <usec>\".\n"
    "With --signals: host handlers for HUP INT QUIT USR1 TERM CHLD ALRM, and after each\n"
    "operation \"sigchanged <op> <signals whose disposition changed>\" and \"mask <op> same|changed\".\n"
    "Transactions start on first use. Prints \"<operation> <code> <pam_strerror>\" per operation\n"
    "and each conversation message as \"conv <style> <text>\"; replies are the message text itself\n"
    "with --echo, NULL with --null-replies, N bytes with --reply-size N, else lines of stdin\n"
    "(with --reply-markers, a line \"(null)\" is a NULL reply and \"(fail)\" fails the conversation).\n"
    "With --threads N, N threads each run the operations on\n"
    "their own transaction at once, and lines start with \"t<i> \". With --repeat N, each\n"
    "thread runs the operations on N transactions in turn, quietly, and prints the number of\n"
    "non-zero codes and the process's RSS and threads after the first and the last (and,\n"
    "with --stats-every N, after every N-th as \"stats <count> ...\").\n";

struct options {
    const char *confdir, *user, *service, *hold;
    const char *items[16], *envs[16];
    int n_items, n_envs, echo, threads, signals, repeat, stats_every, null_replies, reply_size, fail_delay, reply_markers;
    char **ops;
    int n_ops;
};

struct transaction {
    pam_handle_t *pamh;
    pid_t tid;             /* the thread that must run the conversation */
    int started;
    struct pam_conv conv;
};

static struct options opt;
static int held_fd = -1;
static pthread_mutex_t stdin_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Reads one line of stdin with read(2), a byte at a time: no stdio buffer keeps a copy of what
 * was typed (the secrets test looks for it in a core dump of this process). 1 on success.
 */
static int read_line(char *line, size_t size)
{
    size_t n = 0;
    char c;
    while (n + 1 < size && read(0, &c, 1) == 1) {
        if (c == '\n') {
            line[n] = '\0';
            return 1;
        }
        line[n++] = c;
    }
    line[n] = '\0';
    c = 0;
    return n > 0;
}

static int converse(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
    struct transaction *t = data;
    struct pam_response *r = calloc((size_t)n, sizeof(*r));
    char line[4096];

    if (r == NULL)
        return PAM_BUF_ERR;
    if ((pid_t)syscall(SYS_gettid) != t->tid)
        printf("conv-wrong-thread\n");
    for (int i = 0; i < n; i++) {
        printf("conv %d %s\n", msg[i]->msg_style, msg[i]->msg);
        fflush(stdout);
        int prompt = msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON;
        if (opt.null_replies) {
            r[i].resp = NULL;
        } else if (opt.reply_size > 0 && prompt) {
            r[i].resp = malloc((size_t)opt.reply_size + 1);
            if (r[i].resp != NULL) {
                memset(r[i].resp, 'a', (size_t)opt.reply_size);
                r[i].resp[opt.reply_size] = '\0';
            }
        } else if (opt.echo) {
            r[i].resp = strdup(msg[i]->msg);
        } else if (prompt) {
            pthread_mutex_lock(&stdin_lock);
            int got = read_line(line, sizeof(line));
            pthread_mutex_unlock(&stdin_lock);
            if (!got || (opt.reply_markers && strcmp(line, "(fail)") == 0)) {
                for (int j = 0; j < i; j++)
                    free(r[j].resp);
                free(r);
                return PAM_CONV_ERR;
            }
            r[i].resp = opt.reply_markers && strcmp(line, "(null)") == 0 ? NULL : strdup(line);
            explicit_bzero(line, sizeof(line));   /* the host's own copy of what was typed */
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

static int item_number(const char *name)
{
    static const struct { const char *name; int item; } items[] = {
        { "service", PAM_SERVICE }, { "user", PAM_USER }, { "tty", PAM_TTY }, { "rhost", PAM_RHOST },
        { "ruser", PAM_RUSER }, { "user_prompt", PAM_USER_PROMPT }, { "xdisplay", PAM_XDISPLAY },
        { "authtok_type", PAM_AUTHTOK_TYPE },
    };
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
        if (strcmp(items[i].name, name) == 0)
            return items[i].item;
    return -1;
}

/* Item values may carry \xHH escapes, so tests can hand modules bytes that are not UTF-8. */
static char *unescape(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    while (out != NULL && *s != '\0') {
        unsigned int byte;
        if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &byte) == 1) {
            *o++ = (char)byte;
            s += 4;
        } else {
            *o++ = *s++;
        }
    }
    if (o != NULL)
        *o = '\0';
    return out;
}

/* --fail-delay: libpam calls this instead of sleeping, after pam_authenticate and pam_chauthtok. */
static void print_fail_delay(int status, unsigned int usec, void *appdata)
{
    (void)appdata;
    printf("faildelay %d %u\n", status, usec);
}

static int start(struct transaction *t)
{
    t->tid = (pid_t)syscall(SYS_gettid);
    t->conv.conv = converse;
    t->conv.appdata_ptr = t;
    int rc = pam_start_confdir(opt.service, opt.user, &t->conv, opt.confdir, &t->pamh);
    if (rc != PAM_SUCCESS)
        return rc;
    t->started = 1;
    if (opt.fail_delay && (rc = pam_set_item(t->pamh, PAM_FAIL_DELAY, (const void *)print_fail_delay)) != PAM_SUCCESS)
        return rc;
    for (int i = 0; i < opt.n_items; i++) {
        const char *eq = strchr(opt.items[i], '=');
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(eq - opt.items[i]), opt.items[i]);
        char *value = unescape(eq + 1);
        rc = pam_set_item(t->pamh, item_number(name), value);
        free(value);
        if (rc != PAM_SUCCESS)
            return rc;
    }
    for (int i = 0; i < opt.n_envs; i++)
        if ((rc = pam_putenv(t->pamh, opt.envs[i])) != PAM_SUCCESS)
            return rc;
    return PAM_SUCCESS;
}

static int mapped(const char *name)
{
    char line[4096];
    int found = 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    while (maps != NULL && fgets(line, sizeof(line), maps) != NULL)
        found |= strstr(line, name) != NULL;
    if (maps != NULL)
        fclose(maps);
    return found;
}

/* --signals: handlers that count deliveries, and on which thread they ran. */
static const int host_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGTERM, SIGCHLD, SIGALRM };
#define N_HOST_SIGNALS (sizeof(host_signals) / sizeof(host_signals[0]))
static volatile sig_atomic_t delivered[65], on_main[65];
static pid_t main_tid;

static void count_signal(int sig)
{
    delivered[sig]++;
    if ((pid_t)syscall(SYS_gettid) == main_tid)
        on_main[sig]++;
}

static void install_host_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = count_signal;
    sigemptyset(&sa.sa_mask);
    main_tid = (pid_t)syscall(SYS_gettid);
    for (size_t i = 0; i < N_HOST_SIGNALS; i++)
        sigaction(host_signals[i], &sa, NULL);
}

struct signal_state {
    struct sigaction actions[65];
    sigset_t mask;
};

static void snapshot(struct signal_state *s)
{
    memset(s, 0, sizeof(*s));
    for (int sig = 1; sig <= 64; sig++)
        if (sigaction(sig, NULL, &s->actions[sig]) != 0)
            memset(&s->actions[sig], 0, sizeof(s->actions[sig]));
    pthread_sigmask(SIG_SETMASK, NULL, &s->mask);
}

static void report_changes(const char *prefix, const char *op, const struct signal_state *before)
{
    struct signal_state after;
    char list[512] = "";
    snapshot(&after);
    for (int sig = 1; sig <= 64; sig++) {
        const struct sigaction *a = &before->actions[sig], *b = &after.actions[sig];
        /* SA_RESTORER is glibc's own bookkeeping, added whenever a disposition is set. */
        const int restorer = 0x04000000;
        if (a->sa_handler != b->sa_handler || (a->sa_flags & ~restorer) != (b->sa_flags & ~restorer))
            snprintf(list + strlen(list), sizeof(list) - strlen(list), " %d", sig);
    }
    printf("%ssigchanged %s%s\n", prefix, op, list[0] ? list : " none");
    int mask_changed = 0;
    for (int sig = 1; sig <= 64; sig++)
        mask_changed |= sigismember(&before->mask, sig) != sigismember(&after.mask, sig);
    printf("%smask %s %s\n", prefix, op, mask_changed ? "changed" : "same");
}

/* Sends each host signal to the process many times; all must reach the main thread's handler. */
static void raise_signals(const char *prefix)
{
    const int rounds = 50;
    for (size_t i = 0; i < N_HOST_SIGNALS; i++) {
        int sig = host_signals[i];
        delivered[sig] = on_main[sig] = 0;
        for (int r = 0; r < rounds; r++) {
            int before = delivered[sig];
            kill(getpid(), sig);
            for (int w = 0; w < 2000 && delivered[sig] == before; w++) {
                struct timespec ms = { 0, 1000000 };
                nanosleep(&ms, NULL);
            }
        }
        printf("%sraised %d handled %d/%d on-main %d/%d\n", prefix, sig, (int)delivered[sig], rounds,
               (int)on_main[sig], rounds);
    }
}

static void print_java_environment(const char *prefix)
{
    static const char *const names[] = { "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS",
        "JDK_AOT_VM_OPTIONS", "_JAVA_SR_SIGNUM", "CLASSPATH", "JAVA_HOME", "LD_LIBRARY_PATH", "TZ", "LANG" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = getenv(names[i]);
        printf("%senv %s=%s\n", prefix, names[i], v ? v : "<unset>");
    }
}

static void print_jvm_files(const char *prefix)
{
    char path[256];
    snprintf(path, sizeof(path), "/tmp/hsperfdata_root/%d", (int)getpid());
    printf("%sfiles hsperfdata=%s", prefix, access(path, F_OK) == 0 ? "yes" : "no");
    snprintf(path, sizeof(path), "/tmp/.java_pid%d", (int)getpid());
    printf(" attach-socket=%s\n", access(path, F_OK) == 0 ? "yes" : "no");
}

/* The connections this process holds to the resident service: "resident <inode>..." (or "none"). */
static void print_resident_connections(const char *prefix)
{
    static const char name[] = "/resident.sock";
    DIR *fds = opendir("/proc/self/fd");
    struct dirent *e;
    int found = 0;

    printf("%sresident", prefix);
    while (fds != NULL && (e = readdir(fds)) != NULL) {
        int fd = atoi(e->d_name);
        struct sockaddr_un peer;
        socklen_t len = sizeof(peer);
        struct stat st;
        if (e->d_name[0] == '.' || fd == dirfd(fds) || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)
            || getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || peer.sun_family != AF_UNIX
            || len <= offsetof(struct sockaddr_un, sun_path))
            continue;
        size_t n = strnlen(peer.sun_path, len - offsetof(struct sockaddr_un, sun_path));
        if (n >= sizeof(name) - 1 && memcmp(peer.sun_path + n - (sizeof(name) - 1), name, sizeof(name) - 1) == 0) {
            printf(" %lu", (unsigned long)st.st_ino);
            found = 1;
        }
    }
    if (fds != NULL)
        closedir(fds);
    printf("%s\n", found ? "" : " none");
}

/* A forked child of a process running Java must fail fast and end harmlessly. */
static void fork_and_authenticate(const char *prefix, pam_handle_t *pamh)
{
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        alarm(10);   /* a hang would end the child by SIGALRM: the test sees it */
        int rc = pam_authenticate(pamh, 0);
        printf("%schild auth %d\n", prefix, rc);
        rc = pam_setcred(pamh, PAM_REINITIALIZE_CRED);
        printf("%schild setcred %d\n", prefix, rc);
        rc = pam_end(pamh, PAM_DATA_SILENT);
        printf("%schild end %d\n", prefix, rc);
        char child_prefix[32];
        snprintf(child_prefix, sizeof(child_prefix), "%schild ", prefix);
        print_resident_connections(child_prefix);
        fflush(stdout);
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    printf("%schild exit %s %d\n", prefix, WIFEXITED(status) ? "status" : "signal",
           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static void print_stats(const char *prefix, const char *when)
{
    char line[256];
    long rss = -1, threads = -1;
    FILE *status = fopen("/proc/self/status", "r");
    while (status != NULL && fgets(line, sizeof(line), status) != NULL) {
        sscanf(line, "VmRSS: %ld", &rss);
        sscanf(line, "Threads: %ld", &threads);
    }
    if (status != NULL)
        fclose(status);
    printf("%sstats %s rss_kb=%ld threads=%ld\n", prefix, when, rss, threads);
}

static int quiet;
static long nonzero_codes;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

static void run_operations(const char *prefix)
{
    struct transaction first = { 0 }, second = { 0 };

    for (int i = 0; i < opt.n_ops; i++) {
        const char *op = opt.ops[i];
        struct transaction *t = &first;
        if (strncmp(op, "2:", 2) == 0) {
            t = &second;
            op += 2;
        }
        if (strncmp(op, "sleep:", 6) == 0) {
            struct timespec t = { atoi(op + 6) / 1000, (atoi(op + 6) % 1000) * 1000000L };
            nanosleep(&t, NULL);
            continue;
        }
        if (strcmp(op, "env") == 0) {
            print_java_environment(prefix);
            continue;
        }
        if (strcmp(op, "files") == 0) {
            print_jvm_files(prefix);
            continue;
        }
        if (strcmp(op, "locale") == 0) {
            printf("%slocale %s\n", prefix, setlocale(LC_ALL, NULL));
            continue;
        }
        if (strcmp(op, "raise") == 0) {
            raise_signals(prefix);
            continue;
        }
        if (strcmp(op, "resident") == 0) {
            print_resident_connections(prefix);
            continue;
        }
        if (strcmp(op, "unhold") == 0) {
            close(held_fd);
            continue;
        }
        if (strncmp(op, "touch:", 6) == 0) {
            close(open(op + 6, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
            continue;
        }
        if (strncmp(op, "waitfor:", 8) == 0) {
            int tries = 0;
            for (; access(op + 8, F_OK) != 0 && tries < 60000; tries++) {
                struct timespec ms = { 0, 1000000 };
                nanosleep(&ms, NULL);
            }
            if (tries == 60000)
                printf("%swaitfor timeout\n", prefix);
            continue;
        }
        if (strcmp(op, "forkexec") == 0 && i + 1 < opt.n_ops) {
            fflush(stdout);
            pid_t child = fork();
            if (child == 0) {
                execv(opt.ops[i + 1], opt.ops + i + 1);
                _exit(127);
            }
            int status = 0;
            waitpid(child, &status, 0);
            printf("%sforkexec %d\n", prefix, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            break;
        }
        if (strcmp(op, "exec") == 0 && i + 1 < opt.n_ops) {
            fflush(stdout);
            execv(opt.ops[i + 1], opt.ops + i + 1);
            printf("%sexec failed\n", prefix);
            exit(1);
        }
        if (strcmp(op, "nofile") == 0) {
            struct rlimit nofile;
            getrlimit(RLIMIT_NOFILE, &nofile);
            printf("%snofile %llu %llu\n", prefix, (unsigned long long)nofile.rlim_cur,
                   (unsigned long long)nofile.rlim_max);
            continue;
        }
        if (strcmp(op, "maps") == 0) {
            printf("%smaps pam_java.so=%s libjvm.so=%s\n", prefix, mapped("/pam_java.so") ? "yes" : "no",
                   mapped("/libjvm.so") ? "yes" : "no");
            continue;
        }
        int rc = PAM_SUCCESS;
        if (!t->started && (rc = start(t)) != PAM_SUCCESS) {
            printf("%sstart %d %s\n", prefix, rc, pam_strerror(t->pamh, rc));
            exit(1);
        }
        struct signal_state before;
        if (opt.signals)
            snapshot(&before);
        if (strcmp(op, "forkauth") == 0) {
            fork_and_authenticate(prefix, t->pamh);
            continue;
        }
        if (strcmp(op, "auth") == 0) rc = pam_authenticate(t->pamh, 0);
        else if (strcmp(op, "setcred") == 0) rc = pam_setcred(t->pamh, PAM_ESTABLISH_CRED);
        else if (strcmp(op, "acct") == 0) rc = pam_acct_mgmt(t->pamh, 0);
        else if (strcmp(op, "open") == 0) rc = pam_open_session(t->pamh, 0);
        else if (strcmp(op, "close") == 0) rc = pam_close_session(t->pamh, 0);
        else if (strcmp(op, "chauthtok") == 0) rc = pam_chauthtok(t->pamh, 0);
        else if (strcmp(op, "end") == 0 || strncmp(op, "end:", 4) == 0) {
            /* end:STATUS gives pam_end that status (0x40000000 is PAM_DATA_SILENT): what cleanups see. */
            rc = pam_end(t->pamh, op[3] == ':' ? (int)strtol(op + 4, NULL, 0) : PAM_SUCCESS);
            t->started = 0;     /* a later operation starts a new transaction */
            if (quiet)
                continue;
            printf("%s%s %d\n", prefix, opt.ops[i], rc);
            fflush(stdout);
            continue;
        } else {
            fprintf(stderr, "pam_host: unknown operation %s\n", op);
            exit(2);
        }
        if (quiet) {
            if (rc != PAM_SUCCESS) {
                pthread_mutex_lock(&count_lock);
                nonzero_codes++;
                pthread_mutex_unlock(&count_lock);
            }
            continue;
        }
        printf("%s%s %d %s\n", prefix, opt.ops[i], rc, pam_strerror(t->pamh, rc));
        if (opt.signals)
            report_changes(prefix, opt.ops[i], &before);
        fflush(stdout);
    }
    if (first.started)
        pam_end(first.pamh, PAM_SUCCESS);
    if (second.started)
        pam_end(second.pamh, PAM_SUCCESS);
}

static void run_repeatedly(const char *prefix)
{
    if (opt.repeat <= 0) {
        run_operations(prefix);
        return;
    }
    for (int r = 0; r < opt.repeat; r++) {
        run_operations(prefix);
        if (r == 0)
            print_stats(prefix, "first");
        else if (r + 1 == opt.repeat / 2)
            print_stats(prefix, "half");
        if (opt.stats_every > 0 && (r + 1) % opt.stats_every == 0) {
            char count[16];
            snprintf(count, sizeof(count), "%d", r + 1);
            print_stats(prefix, count);
        }
    }
    print_stats(prefix, "last");
}

static void *thread_main(void *arg)
{
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "t%ld ", (long)(intptr_t)arg);
    run_repeatedly(prefix);
    return NULL;
}

int main(int argc, char **argv)
{
    int i = 1;

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--confdir") == 0 && i + 1 < argc) opt.confdir = argv[++i];
        else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) opt.user = argv[++i];
        else if (strcmp(argv[i], "--echo") == 0) opt.echo = 1;
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) opt.threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--signals") == 0) opt.signals = 1;
        else if (strcmp(argv[i], "--null-replies") == 0) opt.null_replies = 1;
        else if (strcmp(argv[i], "--reply-markers") == 0) opt.reply_markers = 1;
        else if (strcmp(argv[i], "--fail-delay") == 0) opt.fail_delay = 1;
        else if (strcmp(argv[i], "--reply-size") == 0 && i + 1 < argc) opt.reply_size = atoi(argv[++i]);
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) opt.repeat = atoi(argv[++i]);
        else if (strcmp(argv[i], "--stats-every") == 0 && i + 1 < argc) opt.stats_every = atoi(argv[++i]);
        else if (strcmp(argv[i], "--item") == 0 && i + 1 < argc && opt.n_items < 16
                 && strchr(argv[i + 1], '=') != NULL && item_number(strtok(strdup(argv[i + 1]), "=")) >= 0)
            opt.items[opt.n_items++] = argv[++i];
        else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc) opt.hold = argv[++i];
        else if (strcmp(argv[i], "--env") == 0 && i + 1 < argc && opt.n_envs < 16) opt.envs[opt.n_envs++] = argv[++i];
        else { fprintf(stderr, "pam_host: bad option %s\n%s", argv[i], usage); return 2; }
    }
    if (i >= argc) {
        fputs(usage, stderr);
        return 2;
    }
    quiet = opt.repeat > 0;
    opt.service = argv[i++];
    if (opt.hold != NULL) {
        /* Without O_CLOEXEC on purpose: a descriptor the host means its programs to inherit. */
        int fd = open(opt.hold, O_RDONLY);
        if (fd < 0) {
            perror(opt.hold);
            return 2;
        }
        printf("hold %d\n", fd);
        held_fd = fd;
    }
    if (opt.signals)
        install_host_handlers();
    opt.ops = argv + i;
    opt.n_ops = argc - i;
    if (opt.threads > 0) {
        pthread_t tids[64];
        int n = opt.threads > 64 ? 64 : opt.threads;
        for (long t = 0; t < n; t++)
            pthread_create(&tids[t], NULL, thread_main, (void *)(intptr_t)t);
        for (int t = 0; t < n; t++)
            pthread_join(tids[t], NULL);
    } else {
        run_repeatedly("");
    }
    if (opt.repeat > 0)
        printf("nonzero %ld\n", nonzero_codes);
    printf("exit\n");
    return 0;
}
