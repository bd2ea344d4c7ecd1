/*
 * pam_java_trace.so: the tracing module of `pam-java run --trace` (docs/man/pam-java.1, TRACING).
 *
 * The command writes a private copy of the configuration in which each module rule names its own
 * copy of this file, DIR/rules/N/<the real module's file name>, with a sidecar DIR/rules/N/rule
 * saying which real module the rule names. libpam loads each copy as it would load the real module
 * (one copy per rule, so each is its own object: glibc would share one file between rules); the copy
 * loads the real module, hands every call to it unchanged and appends what it returned to DIR/trace.
 *
 * It is one file on its own (not a part of pam_java.so's layers): it links only libpam and libdl,
 * and pam_java.so never loads it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

/* The six entry points, in the order of the names below: the trace names them this way. */
enum op { OP_AUTHENTICATE, OP_SETCRED, OP_ACCT_MGMT, OP_OPEN_SESSION, OP_CLOSE_SESSION, OP_CHAUTHTOK, OP_COUNT };

static const char *const op_names[OP_COUNT] = {
    "authenticate", "setcred", "acct_mgmt", "open_session", "close_session", "chauthtok",
};
static const char *const op_symbols[OP_COUNT] = {
    "pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt",
    "pam_sm_open_session", "pam_sm_close_session", "pam_sm_chauthtok",
};

/* The build hides every symbol (-fvisibility=hidden); libpam looks these up. */
#define EXPORTED __attribute__((visibility("default")))

typedef int (*service_fn)(pam_handle_t *, int, int, const char **);

/* This copy's rule: read once, when libpam loads the copy (at pam_start, where it loads modules). */
static struct {
    int ready;               /* the sidecar was read: the fields below are this rule's */
    char problem[PATH_MAX + 64]; /* else why not, logged at each call (which then fails) */
    char dir[PATH_MAX];      /* the private directory, DIR */
    char module[PATH_MAX];   /* the real module's path, as libpam would dlopen it first */
    char fallback[PATH_MAX]; /* where Debian's libpam looks next for a relative one, or "" */
    char written[PATH_MAX];  /* the path as the rule writes it: libpam's log lines name that */
    char rule[32];           /* the rule's number in the trace */
    char type[16];           /* auth, account, session or password: which symbols libpam resolves */
    int silent;              /* a -type rule: libpam does not log a module it cannot load */
    char module_id[32];      /* the same for every rule writing this module path */
    void *handle;            /* the real module, or NULL: libpam's faulty module */
    service_fn fn[OP_COUNT]; /* its entry points; NULL where it has none */
} self;

/* Reads "key=value" lines of the sidecar into self; 0 when every key was there. */
static int read_sidecar(const char *path)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        snprintf(self.problem, sizeof self.problem, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char line[PATH_MAX + 32];
    int found = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        size_t len = strcspn(line, "\n");
        line[len] = '\0';
        char *eq = strchr(line, '=');
        if (eq == NULL) {
            continue;
        }
        *eq = '\0';
        const char *value = eq + 1;
        struct { const char *key; char *into; size_t size; } fields[] = {
            {"module", self.module, sizeof self.module}, {"rule", self.rule, sizeof self.rule},
            {"type", self.type, sizeof self.type}, {"module_id", self.module_id, sizeof self.module_id},
            {"written", self.written, sizeof self.written}, {"fallback", self.fallback, sizeof self.fallback},
        };
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
            if (strcmp(line, fields[i].key) == 0 && strlen(value) < fields[i].size) {
                strcpy(fields[i].into, value);
                found |= 1 << i;
            }
        }
        if (strcmp(line, "silent") == 0) {
            self.silent = strcmp(value, "1") == 0;
            found |= 1 << 6;
        }
    }
    fclose(f);
    if (found != 0x7f) {
        snprintf(self.problem, sizeof self.problem, "%s lacks a setting", path);
        return -1;
    }
    return 0;
}

/*
 * Whether this is the first rule of the transaction to load its real module: libpam loads a module
 * path once (a relative one as written: pam_x.so and its full path are two), so it logs a module it
 * cannot load once per path, for the first rule writing it. The copies share
 * no memory (each is its own object), so the first takes a marker in the private directory.
 */
static int first_to_load(void)
{
    char marker[PATH_MAX];
    if (snprintf(marker, sizeof marker, "%s/loaded/%s", self.dir, self.module_id) >= (int) sizeof marker) {
        return 1;
    }
    int fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return errno != EEXIST;
    }
    close(fd);
    return 1;
}

/* The entry points libpam looks up for a rule of this type (pam_handlers.c, _pam_add_handler). */
static int type_uses(enum op op)
{
    if (strcmp(self.type, "auth") == 0) {
        return op == OP_AUTHENTICATE || op == OP_SETCRED;
    }
    if (strcmp(self.type, "session") == 0) {
        return op == OP_OPEN_SESSION || op == OP_CLOSE_SESSION;
    }
    if (strcmp(self.type, "account") == 0) {
        return op == OP_ACCT_MGMT;
    }
    return op == OP_CHAUTHTOK;
}

/*
 * At load (libpam's dlopen of this copy, during pam_start): find the sidecar beside this file, load
 * the real module as libpam does (RTLD_NOW) and log what libpam would log when it cannot, with
 * libpam's words and its prefix ("PAM": no module is running yet).
 */
__attribute__((constructor)) static void load(void)
{
    Dl_info info;
    if (dladdr((void *) load, &info) == 0 || info.dli_fname == NULL || info.dli_fname[0] != '/') {
        snprintf(self.problem, sizeof self.problem, "cannot tell where this copy is");
        return;
    }
    char sidecar[PATH_MAX];
    const char *slash = strrchr(info.dli_fname, '/');
    int rule_dir_len = (int) (slash - info.dli_fname);
    if (snprintf(sidecar, sizeof sidecar, "%.*s/rule", rule_dir_len, info.dli_fname) >= (int) sizeof sidecar) {
        snprintf(self.problem, sizeof self.problem, "path too long");
        return;
    }
    /* DIR/rules/N/copy: the private directory is two levels above the copy's directory. */
    snprintf(self.dir, sizeof self.dir, "%.*s", rule_dir_len, info.dli_fname);
    for (int up = 0; up < 2; up++) {
        char *last = strrchr(self.dir, '/');
        if (last == NULL || last == self.dir) {
            snprintf(self.problem, sizeof self.problem, "%s is not in DIR/rules/N", info.dli_fname);
            return;
        }
        *last = '\0';
    }
    if (read_sidecar(sidecar) != 0) {
        return;
    }
    self.ready = 1;
    self.handle = dlopen(self.module, RTLD_NOW);
    if (self.handle == NULL && self.fallback[0] != '\0') {
        /* Debian's libpam: a relative path not in the multiarch directory is looked for in /lib/security */
        self.handle = dlopen(self.fallback, RTLD_NOW);
    }
    if (self.handle == NULL) {
        const char *why = dlerror(); /* the last attempt's, as libpam logs it */
        if (first_to_load() && !self.silent) {
            syslog(LOG_AUTHPRIV | LOG_ERR, "PAM unable to dlopen(%s): %s", self.written, why ? why : "?");
            syslog(LOG_AUTHPRIV | LOG_ERR, "PAM adding faulty module: %s", self.written);
        }
        return;
    }
    for (int op = 0; op < OP_COUNT; op++) {
        self.fn[op] = (service_fn) dlsym(self.handle, op_symbols[op]);
        if (self.fn[op] == NULL && type_uses(op)) {
            syslog(LOG_AUTHPRIV | LOG_ERR, "PAM unable to resolve symbol: %s", op_symbols[op]);
        }
    }
}

/*
 * At unload: libpam closes this copy in pam_end after every pam_set_data cleanup has run
 * (_pam_free_data before _pam_free_handlers), so the real module, whose code those cleanups are,
 * is closed now, when libpam would have closed it, and not before.
 */
__attribute__((destructor)) static void unload(void)
{
    if (self.handle != NULL) {
        dlclose(self.handle);
        self.handle = NULL;
    }
}

/* Appends "RULE OPERATION FLAGS CODE" to DIR/trace with one write(2), so records never interleave. */
static void record(pam_handle_t *pamh, enum op op, int flags, int code)
{
    char path[PATH_MAX];
    char line[128];
    if (snprintf(path, sizeof path, "%s/trace", self.dir) >= (int) sizeof path) {
        return;
    }
    int len = snprintf(line, sizeof line, "%s %s %d %d\n", self.rule, op_names[op], flags, code);
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || write(fd, line, (size_t) len) != len) {
        /* The command sees a trace shorter than libpam's run and says so; the code stays the real one. */
        pam_syslog(pamh, LOG_ERR, "pam_java_trace: cannot write %s: %s", path, strerror(errno));
    }
    if (fd >= 0) {
        close(fd);
    }
}

/*
 * One call: the real module's entry point with the arguments libpam gave (libpam has also set the
 * rule's arguments where pam_get_authtok reads them), its code returned unchanged, PAM_INCOMPLETE
 * included. A module libpam could not load, or an entry point it lacks, is libpam's
 * PAM_MODULE_UNKNOWN (pam_dispatch.c: a handler without a function).
 */
static int call(enum op op, pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    if (!self.ready) {
        /* Fail closed: this copy does not know which module the rule names. */
        pam_syslog(pamh, LOG_ERR, "pam_java_trace: %s", self.problem);
        return PAM_SYSTEM_ERR;
    }
    int code = self.fn[op] == NULL ? PAM_MODULE_UNKNOWN : self.fn[op](pamh, flags, argc, argv);
    record(pamh, op, flags, code);
    return code;
}

EXPORTED int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return call(OP_AUTHENTICATE, pamh, flags, argc, argv);
}

EXPORTED int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return call(OP_SETCRED, pamh, flags, argc, argv);
}

EXPORTED int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return call(OP_ACCT_MGMT, pamh, flags, argc, argv);
}

EXPORTED int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return call(OP_OPEN_SESSION, pamh, flags, argc, argv);
}

EXPORTED int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return call(OP_CLOSE_SESSION, pamh, flags, argc, argv);
}

EXPORTED int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return call(OP_CHAUTHTOK, pamh, flags, argc, argv);
}
