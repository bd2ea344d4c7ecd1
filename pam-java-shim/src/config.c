/* config.c: reads pam_java's root-owned configuration file and checks paths are trustworthy. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#ifndef PJ_CONF_FILE
#error "PJ_CONF_FILE must be defined by the build"
#endif
#ifndef PJ_JAVA_HOME
#error "PJ_JAVA_HOME must be defined by the build"
#endif
#ifndef PJ_CACHE_DIR
#error "PJ_CACHE_DIR must be defined by the build"
#endif

/*
 * When the process runs as root, a file that decides what runs as root must be owned by root
 * and writable by nobody else, and so must every directory above it: otherwise whoever can
 * write there can choose the code. The walk is done on the path as written (lstat: a symlink in
 * an open directory does not pass) and on the path it resolves to. A root-owned sticky
 * directory such as /tmp is acceptable above the file: others cannot replace root's entries.
 */
static int path_chain_trusted(const char *what, const char *path, char *why, size_t size)
{
    char p[PATH_MAX];
    struct stat st;
    int first = 1;

    if (strlen(path) >= sizeof(p) || path[0] != '/') {
        snprintf(why, size, "refusing %s: not an absolute path", what);
        return 0;
    }
    strcpy(p, path);
    for (;;) {
        if (lstat(p, &st) != 0) {
            snprintf(why, size, "refusing %s: cannot stat %s: %s", what, p, strerror(errno));
            return 0;
        }
        if (st.st_uid != 0) {
            snprintf(why, size, "refusing %s: %s is not owned by root", what, p);
            return 0;
        }
        int sticky_dir = !first && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
        if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_dir) {
            snprintf(why, size, "refusing %s: %s is writable by group or others", what, p);
            return 0;
        }
        first = 0;
        char *slash = strrchr(p, '/');
        if (slash == p) {
            if (p[1] == '\0')
                return 1;
            p[1] = '\0';
        } else {
            *slash = '\0';
        }
    }
}

/* The walk, with what it found logged. */
static int path_chain_is_trusted(pam_handle_t *pamh, const char *what, const char *path)
{
    char why[PATH_MAX + 128];

    if (path_chain_trusted(what, path, why, sizeof(why)))
        return 1;
    pj_log(pamh, LOG_ERR, "%s", why);
    return 0;
}

/* The walk for path as written and as resolved; not logged: why says what it found. */
int pj_path_trust_problem(const char *path, char *why, size_t size)
{
    char resolved[PATH_MAX];

    if (geteuid() != 0)
        return 0;
    if (realpath(path, resolved) == NULL) {
        snprintf(why, size, "refusing %s: %s", path, strerror(errno));
        return 1;
    }
    return !path_chain_trusted(path, path, why, size) || !path_chain_trusted(path, resolved, why, size);
}

int pj_path_is_trusted(pam_handle_t *pamh, const char *path)
{
    char why[PATH_MAX + 128];

    if (!pj_path_trust_problem(path, why, sizeof(why)))
        return 1;
    pj_log(pamh, LOG_ERR, "%s", why);
    return 0;
}

/*
 * cache_dir becomes the JVM's java.io.tmpdir, user.home and error-file directory, and holds the
 * compiled classes of .java modules, which decide logins. As root it must therefore be root's
 * alone: a directory (not a symlink) owned by root, mode 0700, under a trusted path. A missing
 * one is made here, under a trusted parent only, and made root:root 0700 whatever the caller's
 * umask and group (su runs with the user's umask and gid). One that exists with other modes is
 * refused, not repaired: others may already have put files in it.
 */
int pj_cache_dir_ready(pam_handle_t *pamh, const char *dir)
{
    char parent[PATH_MAX];
    struct stat st;

    if (geteuid() != 0)
        return 1;
    if (dir[0] != '/' || strlen(dir) >= sizeof(parent)) {
        pj_log(pamh, LOG_ERR, "refusing cache_dir %s: not an absolute path", dir);
        return 0;
    }
    if (lstat(dir, &st) != 0) {
        if (errno != ENOENT) {
            pj_log(pamh, LOG_ERR, "refusing cache_dir %s: %s", dir, strerror(errno));
            return 0;
        }
        strcpy(parent, dir);
        char *slash = strrchr(parent, '/');
        slash[slash == parent ? 1 : 0] = '\0';
        if (!path_chain_is_trusted(pamh, "the parent of cache_dir", parent))
            return 0;
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            pj_log(pamh, LOG_ERR, "cannot create cache_dir %s: %s", dir, strerror(errno));
            return 0;
        }
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            pj_log(pamh, LOG_ERR, "cannot open cache_dir %s: %s", dir, strerror(errno));
            return 0;
        }
        int fixed = fstat(fd, &st) == 0 && st.st_uid == 0 && fchown(fd, 0, 0) == 0 && fchmod(fd, 0700) == 0;
        close(fd);
        if (!fixed) {
            pj_log(pamh, LOG_ERR, "cannot make cache_dir %s root's alone (0700)", dir);
            return 0;
        }
        pj_log(pamh, LOG_NOTICE, "created the missing cache_dir %s (0700, root)", dir);
        if (lstat(dir, &st) != 0) {
            pj_log(pamh, LOG_ERR, "refusing cache_dir %s: %s", dir, strerror(errno));
            return 0;
        }
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077) != 0) {
        pj_log(pamh, LOG_ERR, "refusing cache_dir %s: it must be a directory owned by root with mode 0700"
               " (it is %s, owner %u, mode %04o); remove it and pam_java makes it anew",
               dir, S_ISDIR(st.st_mode) ? "a directory" : S_ISLNK(st.st_mode) ? "a symlink" : "not a directory",
               (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
        return 0;
    }
    return pj_path_is_trusted(pamh, dir);     /* as written and as resolved */
}

/*
 * pam_java.conf's grammar, the one every reader of the file follows (ResidentConfig.java on the
 * service's side, the launchers' reader; the file's header and pam_java(8) say it for admins, and
 * pam-java-it's ConfigGrammarTest runs them all against one table of texts):
 *  - A line ends at LF (the last one may lack it); one CR just before the LF (CRLF) is dropped.
 *  - A line holds at most PJ_CONF_LINE_MAX bytes, without its line end; a longer one is an error,
 *    never read as two lines. So is a NUL or any other control character but TAB, and text that
 *    is not UTF-8.
 *  - '#' starts a comment, to the end of the line. Spaces and tabs around names and values are
 *    ignored; a line left empty is skipped.
 *  - Any other line is "name = value": the name one of the settings below, each at most once, the
 *    value at most PJ_CONF_VALUE_MAX bytes. An empty value means the setting's default.
 * Every error fails the module closed (PAM_SERVICE_ERR), logged with the file and line.
 */
#define PJ_CONF_LINE_MAX 8192
#define PJ_CONF_VALUE_MAX 4095

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static char *trim(char *s)
{
    while (is_blank(*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && is_blank(end[-1]))
        *--end = '\0';
    return s;
}

/* Strict UTF-8, as Java decodes it: no overlong forms, no surrogates, nothing above U+10FFFF. */
static int is_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; ) {
        unsigned c = s[i];
        size_t len;
        unsigned long min, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            len = 2, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4, min = 0x10000;
        else
            return 0;
        if (n - i < len)
            return 0;
        cp = c & (0x7fu >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

static int copy_value(pam_handle_t *pamh, const char *file, int lineno, char *dst, size_t size, const char *value)
{
    if (strlen(value) >= size) {
        pj_log(pamh, LOG_ERR, "%s:%d: value too long", file, lineno);
        return 0;
    }
    strcpy(dst, value);
    return 1;
}

static int absolute(pam_handle_t *pamh, const char *file, int lineno, const char *key, const char *value)
{
    if (value[0] == '/')
        return 1;
    pj_log(pamh, LOG_ERR, "%s:%d: %s must be an absolute path", file, lineno, key);
    return 0;
}

/* Seconds with at most three decimals: 0 (no limit), or 0.001 to 86400. */
static int parse_timeout(const char *value, long *ms)
{
    long whole = 0, thousandths = 0;
    int digits = 0, decimals = 0;
    const char *p = value;

    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        whole = whole * 10 + (*p - '0');
        if (whole > 86400)
            return 0;
    }
    if (digits == 0)
        return 0;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9' && decimals < 3; p++, decimals++)
            thousandths = thousandths * 10 + (*p - '0');
        if (decimals == 0)
            return 0;
    }
    if (*p != '\0')
        return 0;
    for (; decimals < 3; decimals++)
        thousandths *= 10;
    *ms = whole * 1000 + thousandths;
    return *ms <= 86400 * 1000L;
}

static const char *const settings[] = {
    "java_home", "jvm_options", "class_path", "cache_dir", "timeout", "resident_socket"
};
#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

static int apply_setting(pam_handle_t *pamh, struct pj_config *cfg, const char *file, int lineno, const char *key,
                         const char *value)
{
    if (value[0] == '\0')
        return 1;       /* the default */
    if (strlen(value) > PJ_CONF_VALUE_MAX) {
        pj_log(pamh, LOG_ERR, "%s:%d: value too long (at most %d bytes)", file, lineno, PJ_CONF_VALUE_MAX);
        return 0;
    }
    if (strcmp(key, "java_home") == 0)
        return absolute(pamh, file, lineno, key, value)
            && copy_value(pamh, file, lineno, cfg->java_home, sizeof(cfg->java_home), value);
    if (strcmp(key, "jvm_options") == 0)
        return copy_value(pamh, file, lineno, cfg->jvm_options, sizeof(cfg->jvm_options), value);
    if (strcmp(key, "class_path") == 0) {
        /* Relative entries would depend on the caller's working directory. */
        for (const char *entry = value; *entry != '\0'; ) {
            if (*entry != '/' && *entry != ':') {
                pj_log(pamh, LOG_ERR, "%s:%d: class_path entries must be absolute paths", file, lineno);
                return 0;
            }
            const char *colon = strchr(entry, ':');
            entry = colon != NULL ? colon + 1 : entry + strlen(entry);
        }
        return copy_value(pamh, file, lineno, cfg->class_path, sizeof(cfg->class_path), value);
    }
    if (strcmp(key, "resident_socket") == 0)
        return absolute(pamh, file, lineno, key, value)
            && copy_value(pamh, file, lineno, cfg->resident_socket, sizeof(cfg->resident_socket), value);
    if (strcmp(key, "cache_dir") == 0)
        return absolute(pamh, file, lineno, key, value)
            && copy_value(pamh, file, lineno, cfg->cache_dir, sizeof(cfg->cache_dir), value);
    /* timeout: the only one left (the caller checked the name) */
    if (!parse_timeout(value, &cfg->timeout_ms)) {
        pj_log(pamh, LOG_ERR, "%s:%d: timeout must be 0 or seconds from 0.001 to 86400 (at most three decimals)",
               file, lineno);
        return 0;
    }
    return 1;
}

/*
 * The next line into buf (PJ_CONF_LINE_MAX + 2 bytes), without its line end and NUL-terminated:
 * its length, -1 at the end of the file, -2 when it is longer than PJ_CONF_LINE_MAX.
 */
static long next_line(FILE *f, char *buf)
{
    long n = 0;
    int c = EOF;

    while ((c = getc(f)) != EOF && c != '\n') {
        if (n > PJ_CONF_LINE_MAX)       /* room for a CR of CRLF after the limit, no more */
            return -2;
        buf[n++] = (char)c;
    }
    if (c == EOF && n == 0)
        return -1;
    if (c == '\n' && n > 0 && buf[n - 1] == '\r')
        n--;
    if (n > PJ_CONF_LINE_MAX)
        return -2;
    buf[n] = '\0';
    return n;
}

/*
 * Parses the text of pam_java.conf (named `file` in messages) into cfg, which holds the defaults.
 * PAM_SUCCESS, or PAM_SERVICE_ERR with a log line naming the file and line.
 */
static int config_parse(pam_handle_t *pamh, struct pj_config *cfg, const char *file, FILE *f)
{
    char line[PJ_CONF_LINE_MAX + 2];
    int set_on[N_SETTINGS] = { 0 };
    int lineno = 0;
    long len;

    while ((len = next_line(f, line)) != -1) {
        lineno++;
        if (len == -2) {
            pj_log(pamh, LOG_ERR, "%s:%d: line longer than %d bytes", file, lineno, PJ_CONF_LINE_MAX);
            return PAM_SERVICE_ERR;
        }
        for (long i = 0; i < len; i++) {
            unsigned char b = (unsigned char)line[i];
            if ((b < 0x20 && b != '\t') || b == 0x7f) {
                pj_log(pamh, LOG_ERR, "%s:%d: control character 0x%02x (byte %ld)", file, lineno, b, i + 1);
                return PAM_SERVICE_ERR;
            }
        }
        if (!is_utf8((const unsigned char *)line, (size_t)len)) {
            pj_log(pamh, LOG_ERR, "%s:%d: not UTF-8", file, lineno);
            return PAM_SERVICE_ERR;
        }
        char *hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        char *s = trim(line);
        if (*s == '\0')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            pj_log(pamh, LOG_ERR, "%s:%d: expected 'name = value'", file, lineno);
            return PAM_SERVICE_ERR;
        }
        *eq = '\0';
        const char *key = trim(s);
        size_t k = 0;
        while (k < N_SETTINGS && strcmp(settings[k], key) != 0)
            k++;
        if (k == N_SETTINGS) {
            pj_log(pamh, LOG_ERR, "%s:%d: unknown setting '%s'", file, lineno, key);
            return PAM_SERVICE_ERR;
        }
        if (set_on[k] != 0) {
            pj_log(pamh, LOG_ERR, "%s:%d: %s is set twice (first on line %d)", file, lineno, key, set_on[k]);
            return PAM_SERVICE_ERR;
        }
        set_on[k] = lineno;
        if (!apply_setting(pamh, cfg, file, lineno, key, trim(eq + 1)))
            return PAM_SERVICE_ERR;
    }
    if (ferror(f)) {
        pj_log(pamh, LOG_ERR, "cannot read %s: %s", file, strerror(errno));
        return PAM_SERVICE_ERR;
    }
    return PAM_SUCCESS;
}

static void config_defaults(struct pj_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    strcpy(cfg->java_home, PJ_JAVA_HOME);
    strcpy(cfg->cache_dir, PJ_CACHE_DIR);
}

/* Returns PAM_SUCCESS, or PAM_SERVICE_ERR with a syslog line naming the file and line. */
int pj_config_load(pam_handle_t *pamh, struct pj_config *cfg)
{
    config_defaults(cfg);

    int fd = open(PJ_CONF_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return PAM_SUCCESS;     /* every setting has a default */
        pj_log(pamh, LOG_ERR, "cannot open %s: %s", PJ_CONF_FILE, strerror(errno));
        return PAM_SERVICE_ERR;
    }
    if (!pj_path_is_trusted(pamh, PJ_CONF_FILE)) {
        close(fd);
        return PAM_SERVICE_ERR;
    }
    FILE *f = fdopen(fd, "r");
    if (f == NULL) {
        pj_log(pamh, LOG_ERR, "cannot read %s: %s", PJ_CONF_FILE, strerror(errno));
        close(fd);
        return PAM_BUF_ERR;
    }
    int rc = config_parse(pamh, cfg, PJ_CONF_FILE, f);
    fclose(f);
    return rc;
}
