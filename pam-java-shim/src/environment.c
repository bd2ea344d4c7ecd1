/* environment.c: the environment Java sees, and that a module's child processes inherit. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <security/pam_appl.h>

#include "environment.h"
#include "log.h"

extern char **environ;

/*
 * The host's environment belongs to whoever started it: in a setuid host (su, sudo), the user
 * pam_java must not trust. The JDK reads the process's environment when it starts, when a module
 * calls System.getenv() (a copy made at its first use), and when a module starts a process
 * without naming an environment (the child inherits `environ` as it is at that moment). So:
 * - the JVM starts with nothing but a fixed PATH (and the locale Java's defaults need), and
 *   the Java runtime takes its System.getenv() copy then (NativeEntry.init);
 * - while a module's call runs, `environ` is pam_exec's model: the fixed PATH and the handle's
 *   PAM environment (pam_getenvlist(3), its loader and interpreter variables aside), nothing of
 *   the caller's;
 * - the host's own `environ` is put back before any host code runs again (a conversation
 *   hand-back, the call's return), so the host never sees a change.
 * A module's own threads may start processes while host code runs: module classes name the
 * environment of every process they start (the runtime's ModuleProcesses, the same rules), so
 * this swap covers what that cannot see (JDK code, reflection) during calls.
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

/*
 * Variables no child running as root should take from the PAM environment, which is not always
 * the administrator's: pam_env with user_readenv=1 (Debian's sshd stack) reads the user's
 * ~/.pam_environment. The dynamic loader's and glibc's (what glibc drops for setuid programs),
 * interpreters' start-up hooks, and Java's own. PATH is the fixed one.
 */
static const char *const unsafe_prefixes[] = { "LD_", "MALLOC_", "PYTHON", "PERL5", "PERLLIB", "RUBY" };
static const char *const unsafe_names[] = {
    "GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES", "HOSTALIASES", "LOCALDOMAIN", "LOCPATH", "NIS_PATH",
    "NLSPATH", "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR", "TZDIR", "NODE_OPTIONS", "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH", "BASH_ENV", "ENV", "IFS", "SHELLOPTS", "BASHOPTS",
    "PS4", "PATH",
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int unsafe_for_children(const char *entry)
{
    size_t name_len = strcspn(entry, "=");
    for (size_t i = 0; i < COUNT(unsafe_prefixes); i++)
        if (strncmp(entry, unsafe_prefixes[i], strlen(unsafe_prefixes[i])) == 0)
            return 1;
    for (size_t i = 0; i < COUNT(unsafe_names); i++)
        if (name_len == strlen(unsafe_names[i]) && strncmp(entry, unsafe_names[i], name_len) == 0)
            return 1;
    return 0;
}

/*
 * The fixed PATH and the handle's PAM environment (its unsafe variables aside), or NULL (out of
 * memory). One allocation: the pointers, then the strings. The host's other threads may setenv()
 * while it is `environ`, which puts glibc's strings into its slots: those are glibc's, never freed here.
 */
char **pj_environment_of(pam_handle_t *pamh)
{
    char **pam_env = pam_getenvlist(pamh);
    size_t n = 0, bytes = sizeof(FIXED_PATH);

    if (pam_env == NULL)
        pj_log(pamh, LOG_WARNING, "cannot read the PAM environment: a module's processes get only the fixed PATH");
    for (; pam_env != NULL && pam_env[n] != NULL; n++)
        bytes += strlen(pam_env[n]) + 1;
    char **env = malloc((n + 2) * sizeof(char *) + bytes);
    if (env != NULL) {
        char *text = (char *)(env + n + 2);
        size_t j = 0;
        env[j++] = memcpy(text, FIXED_PATH, sizeof(FIXED_PATH));
        text += sizeof(FIXED_PATH);
        for (size_t i = 0; i < n; i++) {
            if (unsafe_for_children(pam_env[i]))
                continue;
            size_t len = strlen(pam_env[i]) + 1;
            env[j++] = memcpy(text, pam_env[i], len);
            text += len;
        }
        env[j] = NULL;
    } else {
        pj_log(pamh, LOG_ERR, "out of memory building the environment of the module's call");
    }
    for (size_t i = 0; i < n; i++)
        free(pam_env[i]);
    free(pam_env);
    return env;
}

/*
 * A Java thread may be starting a process with this array as its `environ` an instant after the
 * call gave the host its own back: arrays are freed a few calls later, not at once.
 */
#define RETIRED_ENVIRONMENTS 16
static char **retired[RETIRED_ENVIRONMENTS];
static unsigned next_retired;

void pj_environment_free(char **env)
{
    if (env == NULL)
        return;
    pthread_mutex_lock(&environment_lock);
    char **oldest = retired[next_retired % RETIRED_ENVIRONMENTS];
    retired[next_retired++ % RETIRED_ENVIRONMENTS] = env;
    pthread_mutex_unlock(&environment_lock);
    free(oldest);
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
