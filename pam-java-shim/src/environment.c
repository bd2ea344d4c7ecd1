/* environment.c: the environment Java sees, and that a module's child processes inherit. */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <security/pam_appl.h>

#include "pam_java.h"

extern char **environ;

/*
 * The host's environment belongs to whoever started it: in a setuid host (su, sudo), the user
 * pam_java must not trust. The JDK reads the process's environment when it starts, when a module
 * calls System.getenv() (a copy made at its first use), and when a module starts a process
 * without naming an environment (the child inherits `environ` as it is at that moment). So:
 * - the JVM starts with nothing but a fixed PATH (and the locale Java's defaults need), and
 *   the Java runtime takes its System.getenv() copy then (NativeEntry.init);
 * - while a module's call runs, `environ` is pam_exec's model: the fixed PATH and the handle's
 *   PAM environment (pam_getenvlist(3)), nothing of the caller's;
 * - the host's own `environ` is put back before any host code runs again (a conversation
 *   hand-back, the call's return), so the host never sees a change.
 * Several handles' calls at once (a threaded host) share one `environ`: they get the fixed PATH
 * only, so no handle's PAM environment reaches another's module.
 */
#define FIXED_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static char *jvm_start_environment[] = { FIXED_PATH, "LC_ALL=C.UTF-8", NULL };
static char *path_only_environment[] = { FIXED_PATH, NULL };

/*
 * Guarded by environment_lock: the host's own environment (saved when the first call enters), what
 * `environ` is while calls run, how many calls run, and whether the JVM is starting (then
 * `environ` is jvm_start_environment whatever else happens, until the start is over).
 */
static pthread_mutex_t environment_lock = PTHREAD_MUTEX_INITIALIZER;
static char **host_environment;
static char **calls_environment;
static int calls_in_module_environment;
static int jvm_starting;

static void set_environ_locked(void)
{
    if (jvm_starting)
        environ = jvm_start_environment;
    else if (calls_in_module_environment == 0)
        environ = host_environment;
    else
        environ = calls_environment;
}

/* On the thread that starts the JVM (inside a call): until pj_environment_end_jvm_start. */
void pj_environment_begin_jvm_start(void)
{
    pthread_mutex_lock(&environment_lock);
    if (calls_in_module_environment == 0)
        host_environment = environ;    /* a start outside any call (none today): keep the host's */
    jvm_starting = 1;
    set_environ_locked();
    pthread_mutex_unlock(&environment_lock);
}

void pj_environment_end_jvm_start(void)
{
    pthread_mutex_lock(&environment_lock);
    jvm_starting = 0;
    set_environ_locked();
    pthread_mutex_unlock(&environment_lock);
}

/* The fixed PATH and the handle's PAM environment (its own PATH aside), or NULL (out of memory). */
char **pj_environment_of(pam_handle_t *pamh)
{
    char **pam_env = pam_getenvlist(pamh);
    size_t n = 0;

    while (pam_env != NULL && pam_env[n] != NULL)
        n++;
    char **env = calloc(n + 2, sizeof(char *));
    if (env == NULL || (env[0] = strdup(FIXED_PATH)) == NULL) {
        free(env);
        env = NULL;
    }
    for (size_t i = 0, j = 1; env != NULL && i < n; i++) {
        if (strncmp(pam_env[i], "PATH=", 5) == 0)
            continue;
        env[j++] = pam_env[i];
        pam_env[i] = NULL;          /* owned by env now */
    }
    for (size_t i = 0; i < n; i++)
        free(pam_env[i]);
    free(pam_env);
    if (env == NULL)
        pj_log(pamh, LOG_ERR, "out of memory building the environment of the module's call");
    return env;
}

void pj_environment_free(char **env)
{
    for (size_t i = 0; env != NULL && env[i] != NULL; i++)
        free(env[i]);
    free(env);
}

/* On the caller's thread before a call's Java part runs: env (pj_environment_of) becomes `environ`. */
void pj_environment_enter(char **env)
{
    pthread_mutex_lock(&environment_lock);
    if (calls_in_module_environment++ == 0) {
        host_environment = environ;
        calls_environment = env;
    } else {
        calls_environment = path_only_environment;
    }
    set_environ_locked();
    pthread_mutex_unlock(&environment_lock);
}

/* On the caller's thread before host code runs again (a hand-back, the call's return). */
void pj_environment_leave(void)
{
    pthread_mutex_lock(&environment_lock);
    if (calls_in_module_environment > 0)
        calls_in_module_environment--;
    set_environ_locked();
    pthread_mutex_unlock(&environment_lock);
}
