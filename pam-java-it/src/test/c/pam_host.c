/* pam_host.c: a PAM application for tests and the demo: runs operations on one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <security/pam_appl.h>

/*
 * usage: pam_host [--confdir DIR] [--user U] [--item NAME=VALUE]... [--env NAME=VALUE]...
 *                 [--echo] SERVICE OPERATION...
 * OPERATION: auth setcred acct open close chauthtok end (pam_end; otherwise at exit).
 * Prints "<operation> <code> <pam_strerror>" per operation and every conversation message as
 * "conv <style> <text>". Replies: with --echo the message text itself, else a line of stdin.
 */

static int echo_replies;

static int converse(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
    struct pam_response *r = calloc((size_t)n, sizeof(*r));
    char line[4096];
    (void)data;

    if (r == NULL)
        return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        printf("conv %d %s\n", msg[i]->msg_style, msg[i]->msg);
        fflush(stdout);
        if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF && msg[i]->msg_style != PAM_PROMPT_ECHO_ON && !echo_replies)
            continue;
        if (echo_replies) {
            r[i].resp = strdup(msg[i]->msg);
        } else if (fgets(line, sizeof(line), stdin) != NULL) {
            line[strcspn(line, "\n")] = '\0';
            r[i].resp = strdup(line);
        } else {
            for (int j = 0; j < i; j++)
                free(r[j].resp);
            free(r);
            return PAM_CONV_ERR;
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

static int run(pam_handle_t **pamh, const char *op, int *ended)
{
    if (strcmp(op, "auth") == 0) return pam_authenticate(*pamh, 0);
    if (strcmp(op, "setcred") == 0) return pam_setcred(*pamh, PAM_ESTABLISH_CRED);
    if (strcmp(op, "acct") == 0) return pam_acct_mgmt(*pamh, 0);
    if (strcmp(op, "open") == 0) return pam_open_session(*pamh, 0);
    if (strcmp(op, "close") == 0) return pam_close_session(*pamh, 0);
    if (strcmp(op, "chauthtok") == 0) return pam_chauthtok(*pamh, 0);
    if (strcmp(op, "end") == 0) {
        *ended = 1;
        return pam_end(*pamh, PAM_SUCCESS);
    }
    fprintf(stderr, "pam_host: unknown operation %s\n", op);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *confdir = NULL, *user = NULL;
    struct pam_conv conv = { converse, NULL };
    pam_handle_t *pamh = NULL;
    int i = 1, rc, ended = 0;

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--confdir") == 0 && i + 1 < argc) confdir = argv[++i];
        else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) user = argv[++i];
        else if (strcmp(argv[i], "--echo") == 0) echo_replies = 1;
        else if ((strcmp(argv[i], "--item") == 0 || strcmp(argv[i], "--env") == 0) && i + 1 < argc) i++;
        else { fprintf(stderr, "pam_host: bad option %s\n", argv[i]); return 2; }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: pam_host [--confdir DIR] [--user U] [--item N=V] [--env N=V] [--echo] SERVICE OP...\n");
        return 2;
    }
    rc = pam_start_confdir(argv[i], user, &conv, confdir, &pamh);
    if (rc != PAM_SUCCESS) {
        printf("start %d %s\n", rc, pam_strerror(pamh, rc));
        return 1;
    }
    /* Second pass: items and environment, now that the handle exists. */
    for (int j = 1; j < i; j++) {
        char *eq = (j + 1 < i) ? strchr(argv[j + 1], '=') : NULL;
        if (strcmp(argv[j], "--item") == 0 && eq != NULL) {
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(eq - argv[j + 1]), argv[j + 1]);
            int item = item_number(name);
            if (item < 0 || pam_set_item(pamh, item, eq + 1) != PAM_SUCCESS) {
                fprintf(stderr, "pam_host: cannot set item %s\n", name);
                return 2;
            }
            j++;
        } else if (strcmp(argv[j], "--env") == 0 && eq != NULL) {
            if (pam_putenv(pamh, argv[j + 1]) != PAM_SUCCESS) {
                fprintf(stderr, "pam_host: cannot set %s\n", argv[j + 1]);
                return 2;
            }
            j++;
        }
    }
    for (i++; i < argc; i++) {
        rc = run(&pamh, argv[i], &ended);
        printf("%s %d %s\n", argv[i], rc, ended ? "" : pam_strerror(pamh, rc));
        fflush(stdout);
        if (ended)
            break;
    }
    if (!ended)
        pam_end(pamh, PAM_SUCCESS);
    printf("exit\n");
    return 0;
}
