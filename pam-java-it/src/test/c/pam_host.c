/* pam_host.c: a PAM application for tests and the demo: runs operations on PAM transactions. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <security/pam_appl.h>

static const char usage[] =
    "usage: pam_host [--confdir DIR] [--user U] [--item NAME=VALUE]... [--env NAME=VALUE]...\n"
    "                [--echo] [--threads N] SERVICE OPERATION...\n"
    "OPERATION: auth setcred acct open close chauthtok end maps; prefix 2: to use a second\n"
    "transaction (started on first use). Prints \"<operation> <code> <pam_strerror>\" per operation\n"
    "and each conversation message as \"conv <style> <text>\"; replies are the message text itself\n"
    "with --echo, else lines of stdin. With --threads N, N threads each run the operations on\n"
    "their own transaction at once, and lines start with \"t<i> \".\n";

struct options {
    const char *confdir, *user, *service;
    const char *items[16], *envs[16];
    int n_items, n_envs, echo, threads;
    char **ops;
    int n_ops;
};

struct transaction {
    pam_handle_t *pamh;
    pid_t tid;             /* the thread that must run the conversation */
    int started, ended;
    struct pam_conv conv;
};

static struct options opt;
static pthread_mutex_t stdin_lock = PTHREAD_MUTEX_INITIALIZER;

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
        if (opt.echo) {
            r[i].resp = strdup(msg[i]->msg);
        } else if (prompt) {
            pthread_mutex_lock(&stdin_lock);
            char *got = fgets(line, sizeof(line), stdin);
            pthread_mutex_unlock(&stdin_lock);
            if (got == NULL) {
                for (int j = 0; j < i; j++)
                    free(r[j].resp);
                free(r);
                return PAM_CONV_ERR;
            }
            line[strcspn(line, "\n")] = '\0';
            r[i].resp = strdup(line);
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

static int start(struct transaction *t)
{
    t->tid = (pid_t)syscall(SYS_gettid);
    t->conv.conv = converse;
    t->conv.appdata_ptr = t;
    int rc = pam_start_confdir(opt.service, opt.user, &t->conv, opt.confdir, &t->pamh);
    if (rc != PAM_SUCCESS)
        return rc;
    t->started = 1;
    for (int i = 0; i < opt.n_items; i++) {
        const char *eq = strchr(opt.items[i], '=');
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(eq - opt.items[i]), opt.items[i]);
        if ((rc = pam_set_item(t->pamh, item_number(name), eq + 1)) != PAM_SUCCESS)
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
        if (strcmp(op, "auth") == 0) rc = pam_authenticate(t->pamh, 0);
        else if (strcmp(op, "setcred") == 0) rc = pam_setcred(t->pamh, PAM_ESTABLISH_CRED);
        else if (strcmp(op, "acct") == 0) rc = pam_acct_mgmt(t->pamh, 0);
        else if (strcmp(op, "open") == 0) rc = pam_open_session(t->pamh, 0);
        else if (strcmp(op, "close") == 0) rc = pam_close_session(t->pamh, 0);
        else if (strcmp(op, "chauthtok") == 0) rc = pam_chauthtok(t->pamh, 0);
        else if (strcmp(op, "end") == 0) {
            rc = pam_end(t->pamh, PAM_SUCCESS);
            t->ended = 1;
            printf("%s%s %d\n", prefix, opt.ops[i], rc);
            fflush(stdout);
            continue;
        } else {
            fprintf(stderr, "pam_host: unknown operation %s\n", op);
            exit(2);
        }
        printf("%s%s %d %s\n", prefix, opt.ops[i], rc, pam_strerror(t->pamh, rc));
        fflush(stdout);
    }
    if (first.started && !first.ended)
        pam_end(first.pamh, PAM_SUCCESS);
    if (second.started && !second.ended)
        pam_end(second.pamh, PAM_SUCCESS);
}

static void *thread_main(void *arg)
{
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "t%ld ", (long)(intptr_t)arg);
    run_operations(prefix);
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
        else if (strcmp(argv[i], "--item") == 0 && i + 1 < argc && opt.n_items < 16
                 && strchr(argv[i + 1], '=') != NULL && item_number(strtok(strdup(argv[i + 1]), "=")) >= 0)
            opt.items[opt.n_items++] = argv[++i];
        else if (strcmp(argv[i], "--env") == 0 && i + 1 < argc && opt.n_envs < 16) opt.envs[opt.n_envs++] = argv[++i];
        else { fprintf(stderr, "pam_host: bad option %s\n%s", argv[i], usage); return 2; }
    }
    if (i >= argc) {
        fputs(usage, stderr);
        return 2;
    }
    opt.service = argv[i++];
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
        run_operations("");
    }
    printf("exit\n");
    return 0;
}
