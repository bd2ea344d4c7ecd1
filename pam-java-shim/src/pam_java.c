/*
 * pam_java.c: the PAM module's entry points and dispatch. A module's instance lives in the
 * resident service when it is configured and answers (resident.c), else in this process
 * (inprocess.c); this file decides which, once per (handle, MODULE), and keeps the instance
 * with the handle until pam_end.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <security/pam_ext.h>

#include "config.h"
#include "inprocess.h"
#include "log.h"
#include "op.h"
#include "resident.h"

static struct pj_config config;
static char module_dir[PATH_MAX];

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static int setup_result = PAM_SERVICE_ERR;

#define DATA_KEY_PREFIX "pam_java:"

static void setup(void)
{
    Dl_info info;

    /* A relative MODULE is relative to the directory that holds this pam_java.so. */
    if (dladdr((void *)setup, &info) == 0 || info.dli_fname == NULL
        || realpath(info.dli_fname, module_dir) == NULL) {
        pj_log(NULL, LOG_ERR, "cannot find where pam_java.so was loaded from");
        return;
    }
    char *slash = strrchr(module_dir, '/');
    if (slash != NULL)
        slash[slash == module_dir ? 1 : 0] = '\0';
    setup_result = pj_config_load(NULL, &config);
    if (setup_result == PAM_SUCCESS) {
        pj_inprocess_configure(&config, module_dir);
        pj_resident_configure(config.resident_socket, module_dir);
    }
}

/*
 * What pam_set_data keeps for a (handle, MODULE): the instance's name on the Java side, or, when
 * the instance lives in the resident service, the connection that holds it.
 */
struct instance_data {
    char *module;
    unsigned long long token;
    int resident;           /* the instance lives in the resident service */
    int fd;                 /* its connection; -1 once the connection failed */
    pid_t pid;              /* the process that made the connection */
};

/*
 * Tokens, not handle addresses, name module instances: malloc gives a new handle the address of
 * a freed one, and a late call of the old transaction must never meet the new one's instance.
 */
static unsigned long long next_token;

/* pam_set_data cleanup, run by pam_end(3): the module's end hook, then the instance is dropped. */
static void end_module(pam_handle_t *pamh, void *data, int status)
{
    struct instance_data *d = data;
    const char *argv[1] = { d->module };

    if (d->resident) {
        /* A forked child holds a copy of its parent's connection: closing the copy is all it may do. */
        if (d->fd >= 0 && d->pid == getpid() && !(status & PAM_DATA_REPLACE)) {
            (void)pj_resident_call(pamh, &d->fd, PJ_END, status, 1, argv, config.timeout_ms);
            if (d->fd >= 0)
                pj_resident_release(d->fd);     /* the instance ended: the next handle may use it */
            d->fd = -1;
        }
        if (d->fd >= 0)
            close(d->fd);
    } else if (!(status & PAM_DATA_REPLACE)) {
        pj_inprocess_end(pamh, status, d->module, d->token);
    }
    free(d->module);
    free(d);
}

/*
 * The first call of a module on a handle arranges for its end hook at pam_end, and decides where
 * the instance lives: in the resident service when it is configured and answers and the rule does
 * not say in_process, else here. Later calls of the module on the handle (its other rules too) use
 * that instance where it is.
 */
static int instance_of(pam_handle_t *pamh, const char *module, int in_process, struct instance_data **data)
{
    char *key = NULL;
    const void *existing = NULL;
    struct instance_data *d;
    int rc;

    if (asprintf(&key, DATA_KEY_PREFIX "%s", module) < 0) {
        pam_syslog(pamh, LOG_ERR, "out of memory naming the instance of %s", module);
        return PAM_BUF_ERR;
    }
    rc = pam_get_data(pamh, key, &existing);
    if (rc == PAM_SUCCESS && existing != NULL) {
        *data = (struct instance_data *)existing;
        free(key);
        return PAM_SUCCESS;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL || (d->module = strdup(module)) == NULL) {
        pam_syslog(pamh, LOG_ERR, "out of memory creating the instance of %s", module);
        free(d);
        free(key);
        return PAM_BUF_ERR;
    }
    d->token = __atomic_add_fetch(&next_token, 1, __ATOMIC_RELAXED);
    d->fd = in_process ? -1 : pj_resident_connect(pamh);
    d->resident = d->fd >= 0;
    d->pid = getpid();
    rc = pam_set_data(pamh, key, d, end_module);
    if (rc != PAM_SUCCESS) {
        pam_syslog(pamh, LOG_ERR, "cannot keep the instance of %s with the handle: %s", module,
                   pam_strerror(pamh, rc));
        if (d->fd >= 0)
            close(d->fd);
        free(d->module);
        free(d);
    } else {
        *data = d;
    }
    free(key);
    return rc;
}

/*
 * An operation of an instance in the resident service. A forked child cannot share its parent's
 * connection (the two would interleave): it connects anew, and the module gets a new instance there.
 */
static int resident_operation(pam_handle_t *pamh, struct instance_data *d, enum pj_op op, int flags, int argc,
                              const char **argv)
{
    if (d->pid != getpid()) {
        if (d->fd >= 0)
            close(d->fd);
        d->fd = pj_resident_connect(pamh);
        d->pid = getpid();
    }
    if (d->fd < 0) {
        pam_syslog(pamh, LOG_ERR, "the connection to the resident service for %s is gone;"
                   " this PAM transaction cannot use the module again", argv[0]);
        return PAM_SERVICE_ERR;
    }
    return pj_resident_call(pamh, &d->fd, op, flags, argc, argv, config.timeout_ms);
}

/*
 * pam_java.so's own rule options, before the module: "in_process" keeps the module in this
 * process even when the resident service is configured (a module that needs the calling process
 * itself: its working directory, its controlling terminal, a device only the application holds).
 * A module is a .java or .jar file, so no module can be mistaken for an option. On return *argc
 * and *argv start at the module, as the Java module sees them (args.get(0)).
 */
static int take_rule_options(pam_handle_t *pamh, int *argc, const char ***argv, int *in_process)
{
    *in_process = 0;
    while (*argc > 0 && (*argv)[0] != NULL && strcmp((*argv)[0], "in_process") == 0) {
        *in_process = 1;
        (*argc)--;
        (*argv)++;
    }
    if (*argc < 1 || (*argv)[0] == NULL || (*argv)[0][0] == '\0') {
        pam_syslog(pamh, LOG_ERR, "no Java module given: the first argument after pam_java.so's options"
                   " (in_process) must name a .java or .jar file");
        return PAM_MODULE_UNKNOWN;
    }
    return PAM_SUCCESS;
}

static int run_operation(pam_handle_t *pamh, enum pj_op op, int flags, int argc, const char **argv)
{
    int rc, in_process;

    if ((rc = take_rule_options(pamh, &argc, &argv, &in_process)) != PAM_SUCCESS)
        return rc;
    pthread_once(&setup_once, setup);
    if (setup_result != PAM_SUCCESS) {
        pam_syslog(pamh, LOG_ERR, "pam_java could not be set up in this process (the first error says why)");
        return setup_result;
    }
    struct instance_data *d = NULL;
    if ((rc = instance_of(pamh, argv[0], in_process, &d)) != PAM_SUCCESS)
        return rc;
    if (d->resident)
        return resident_operation(pamh, d, op, flags, argc, argv);
    return pj_inprocess_run(pamh, op, flags, argc, argv, d->token);
}

#define ENTRY_POINT(name, op) \
    PAM_EXTERN __attribute__((visibility("default"))) int \
    name(pam_handle_t *pamh, int flags, int argc, const char **argv) \
    { \
        return run_operation(pamh, op, flags, argc, argv); \
    }

ENTRY_POINT(pam_sm_authenticate, PJ_AUTHENTICATE)
ENTRY_POINT(pam_sm_setcred, PJ_SETCRED)
ENTRY_POINT(pam_sm_acct_mgmt, PJ_ACCT_MGMT)
ENTRY_POINT(pam_sm_open_session, PJ_OPEN_SESSION)
ENTRY_POINT(pam_sm_close_session, PJ_CLOSE_SESSION)
ENTRY_POINT(pam_sm_chauthtok, PJ_CHAUTHTOK)
