/*
 * inprocess.c: the in-process path. A call is handed to a worker (workers.c) that runs it in the
 * process's JVM (jvm.c); this file puts the two together and keeps Java out of forked children.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <security/pam_ext.h>

#include "inprocess.h"
#include "jvm.h"
#include "workers.h"

static long timeout_ms;

/* What a worker runs: attach to the JVM once, then each call in it. */
static const struct pj_runner jvm_runner = { pj_jvm_attach, pj_jvm_run, pj_jvm_failure_code };

void pj_inprocess_configure(const struct pj_config *cfg, const char *module_dir)
{
    timeout_ms = cfg->timeout_ms;
    pj_jvm_configure(cfg, module_dir);
}

static struct pj_call *new_call(pam_handle_t *pamh, enum pj_op op, int flags, int argc, const char **argv,
                                unsigned long long token)
{
    struct pj_call *call = calloc(1, sizeof(*call));
    if (call == NULL)
        return NULL;
    call->pamh = pamh;
    call->op = op;
    call->flags = flags;
    call->token = token;
    call->runner = &jvm_runner;
    call->result = PAM_SERVICE_ERR;
    call->argv = calloc((size_t)argc + 1, sizeof(char *));
    for (int i = 0; call->argv != NULL && i < argc; i++) {
        if ((call->argv[i] = strdup(argv[i])) == NULL) {
            pj_call_free(call);
            return NULL;
        }
        call->argc = i + 1;
    }
    if (call->argv == NULL) {
        free(call);
        return NULL;
    }
    return call;
}

/*
 * A process that forked after Java started has no JVM threads, only a copy of their memory:
 * calling into it would hang or crash. Such a child fails fast instead.
 */
static int in_forked_child(void)
{
    pid_t owner = pj_jvm_owner_pid();
    return (owner != 0 && owner != getpid()) || pj_forked_after_start();
}

/* A JVM of the host's own (a Java application) keeps the application's environment. */
static int run(struct pj_call *call)
{
    return pj_call_run(call, timeout_ms, !pj_jvm_is_hosts());
}

void pj_inprocess_end(pam_handle_t *pamh, int status, const char *module, unsigned long long token)
{
    const char *argv[1] = { module };

    if (in_forked_child())
        return;
    struct pj_call *call = new_call(pamh, PJ_END, status, 1, argv, token);
    if (call != NULL)
        (void)run(call);
    else
        pam_syslog(pamh, LOG_ERR, "out of memory: the end hook of %s is not called", module);
}

int pj_inprocess_run(pam_handle_t *pamh, enum pj_op op, int flags, int argc, const char **argv,
                     unsigned long long token)
{
    if (in_forked_child()) {
        /*
         * Hosts call pam_setcred again in the child they fork for the user (sshd's session child
         * reinitialises credentials the monitor established), and may close sessions there. The
         * module cannot run here; for those two it steps aside (PAM_IGNORE: it neither grants nor
         * denies). Every decision (auth, account, password, open session) fails closed.
         */
        if (op == PJ_SETCRED || op == PJ_CLOSE_SESSION) {
            pam_syslog(pamh, LOG_NOTICE, "%s: Java cannot run in a process forked after Java started;"
                       " the module is skipped", op == PJ_SETCRED ? "setcred" : "close_session");
            return PAM_IGNORE;
        }
        pam_syslog(pamh, LOG_ERR, "refusing to run Java in a process forked after Java started"
                   " (pid %d, Java started in %d)", (int)getpid(), (int)pj_jvm_owner_pid());
        return PAM_SYSTEM_ERR;
    }
    struct pj_call *call = new_call(pamh, op, flags, argc, argv, token);
    if (call == NULL) {
        pam_syslog(pamh, LOG_ERR, "out of memory starting a call of %s", argv[0]);
        return PAM_BUF_ERR;
    }
    return run(call);
}
