/*
 * harness.h: what the fuzz targets put around the pam_java.so sources they #include (the parts of
 * the shim that start Java and hand calls between threads are not linked in): a real libpam handle
 * per input (pam_start_confdir on an empty service), a conversation that answers from the message,
 * and the shim functions the decoders call, run directly on the fuzzer's thread.
 */
#ifndef PJ_FUZZ_HARNESS_H
#define PJ_FUZZ_HARNESS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <security/pam_appl.h>

#include "../src/clock.h"
#include "../src/log.h"
#include "../src/workers.h"

/* Set by a target to fail the libpam window (the PAM_ABORT paths). */
static int fuzz_enter_fails;
static struct pj_call fuzz_call;

/* What pj_log and pam_syslog would write: formatted (the format is exercised), then dropped. */
static void fuzz_format(const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, ap);
}

/* The facility is pam_java's (LOG_AUTHPRIV, added by pj_log): a priority with more than a level is a bug. */
void pj_log(pam_handle_t *pamh, int priority, const char *fmt, ...)
{
    va_list ap;
    (void)pamh;
    if ((priority & ~LOG_PRIMASK) != 0) {
        fprintf(stderr, "fuzz: pj_log with priority %#x: facility bits reach syslog\n", (unsigned)priority);
        abort();
    }
    va_start(ap, fmt);
    fuzz_format(fmt, ap);
    va_end(ap);
}

void fuzz_pam_syslog(const pam_handle_t *pamh, int priority, const char *fmt, ...)
{
    va_list ap;
    (void)pamh;
    (void)priority;
    va_start(ap, fmt);
    fuzz_format(fmt, ap);
    va_end(ap);
}

long pj_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* No spinning: the fuzzer's service thread and the client share what CPU there is. */
int pj_spin_until(int (*ready)(void *arg), void *arg, long budget_ns)
{
    (void)ready;
    (void)arg;
    (void)budget_ns;
    return -1;
}

int pj_usable_cpus(void)
{
    return 1;
}

struct pj_call *pj_current_call(void) { return &fuzz_call; }
int pj_enter_libpam(struct pj_call *call) { (void)call; return fuzz_enter_fails ? -1 : 0; }
void pj_leave_libpam(struct pj_call *call) { (void)call; }

int pj_handback(struct pj_call *call, void (*fn)(void *), void *arg)
{
    (void)call;
    fn(arg);
    return 0;
}

/* Prompts are answered with their own text, other messages with NULL; a "!" message fails the conversation. */
static int fuzz_converse(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
    (void)data;
    if (n < 1 || n > PAM_MAX_NUM_MSG)
        return PAM_CONV_ERR;
    for (int i = 0; i < n; i++)
        if (msg[i]->msg[0] == '!')
            return PAM_CONV_ERR;
    struct pam_response *r = calloc((size_t)n, sizeof(*r));
    if (r == NULL)
        return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        int prompt = msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON;
        r[i].resp = prompt ? strdup(msg[i]->msg) : NULL;
    }
    *resp = r;
    return PAM_SUCCESS;
}

static char fuzz_confdir[64];
static const struct pam_conv fuzz_conv = { fuzz_converse, NULL };

static void fuzz_remove_confdir(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/fuzz", fuzz_confdir);
    unlink(path);
    rmdir(fuzz_confdir);
}

/* A fresh handle on the empty service "fuzz" of a private configuration directory. */
static pam_handle_t *fuzz_pam_start(void)
{
    pam_handle_t *pamh = NULL;

    if (fuzz_confdir[0] == '\0') {
        char path[128];
        strcpy(fuzz_confdir, "/tmp/pam-java-fuzz.XXXXXX");
        if (mkdtemp(fuzz_confdir) == NULL)
            abort();
        snprintf(path, sizeof(path), "%s/fuzz", fuzz_confdir);
        FILE *f = fopen(path, "w");
        if (f == NULL)
            abort();
        fclose(f);
        atexit(fuzz_remove_confdir);
    }
    if (pam_start_confdir("fuzz", "fuzz-user", &fuzz_conv, fuzz_confdir, &pamh) != PAM_SUCCESS)
        abort();
    fuzz_call.pamh = pamh;
    return pamh;
}

#endif
