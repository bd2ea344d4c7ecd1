/* config.c: reads pam_java's root-owned configuration file and checks paths are trustworthy. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pam_java.h"

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
static int path_chain_is_trusted(pam_handle_t *pamh, const char *what, const char *path)
{
    char p[PATH_MAX];
    struct stat st;
    int first = 1;

    if (strlen(path) >= sizeof(p) || path[0] != '/') {
        pj_log(pamh, LOG_ERR, "refusing %s: not an absolute path", what);
        return 0;
    }
    strcpy(p, path);
    for (;;) {
        if (lstat(p, &st) != 0) {
            pj_log(pamh, LOG_ERR, "refusing %s: cannot stat %s: %s", what, p, strerror(errno));
            return 0;
        }
        if (st.st_uid != 0) {
            pj_log(pamh, LOG_ERR, "refusing %s: %s is not owned by root", what, p);
            return 0;
        }
        int sticky_dir = !first && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
        if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_dir) {
            pj_log(pamh, LOG_ERR, "refusing %s: %s is writable by group or others", what, p);
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

int pj_path_is_trusted(pam_handle_t *pamh, const char *path)
{
    char resolved[PATH_MAX];

    if (geteuid() != 0)
        return 1;
    if (realpath(path, resolved) == NULL) {
        pj_log(pamh, LOG_ERR, "refusing %s: %s", path, strerror(errno));
        return 0;
    }
    return path_chain_is_trusted(pamh, path, path) && path_chain_is_trusted(pamh, path, resolved);
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

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

static int copy_value(pam_handle_t *pamh, int lineno, char *dst, size_t size, const char *value)
{
    if (strlen(value) >= size) {
        pj_log(pamh, LOG_ERR, "%s:%d: value too long", PJ_CONF_FILE, lineno);
        return 0;
    }
    strcpy(dst, value);
    return 1;
}

static int apply_setting(pam_handle_t *pamh, struct pj_config *cfg, int lineno, const char *key,
                         const char *value)
{
    if (strcmp(key, "java_home") == 0)
        return copy_value(pamh, lineno, cfg->java_home, sizeof(cfg->java_home), value);
    if (strcmp(key, "jvm_options") == 0)
        return copy_value(pamh, lineno, cfg->jvm_options, sizeof(cfg->jvm_options), value);
    if (strcmp(key, "class_path") == 0) {
        /* Relative entries would depend on the caller's working directory. */
        for (const char *entry = value; *entry != '\0'; ) {
            if (*entry != '/' && *entry != ':') {
                pj_log(pamh, LOG_ERR, "%s:%d: class_path entries must be absolute paths", PJ_CONF_FILE, lineno);
                return 0;
            }
            const char *colon = strchr(entry, ':');
            entry = colon != NULL ? colon + 1 : entry + strlen(entry);
        }
        return copy_value(pamh, lineno, cfg->class_path, sizeof(cfg->class_path), value);
    }
    if (strcmp(key, "resident_socket") == 0) {
        if (value[0] != '\0' && value[0] != '/') {
            pj_log(pamh, LOG_ERR, "%s:%d: resident_socket must be an absolute path", PJ_CONF_FILE, lineno);
            return 0;
        }
        return copy_value(pamh, lineno, cfg->resident_socket, sizeof(cfg->resident_socket), value);
    }
    if (strcmp(key, "cache_dir") == 0) {
        if (value[0] != '/') {
            pj_log(pamh, LOG_ERR, "%s:%d: cache_dir must be an absolute path", PJ_CONF_FILE, lineno);
            return 0;
        }
        return copy_value(pamh, lineno, cfg->cache_dir, sizeof(cfg->cache_dir), value);
    }
    if (strcmp(key, "timeout") == 0) {
        char *end;
        errno = 0;
        double seconds = strtod(value, &end);
        /* !(x >= 0 && x <= max) also refuses NaN. */
        if (errno != 0 || *end != '\0' || end == value || !(seconds >= 0 && seconds <= 86400)
            || (seconds > 0 && seconds < 0.001)) {
            pj_log(pamh, LOG_ERR, "%s:%d: timeout must be 0 or seconds between 0.001 and 86400",
                   PJ_CONF_FILE, lineno);
            return 0;
        }
        cfg->timeout_ms = (long)(seconds * 1000);
        return 1;
    }
    pj_log(pamh, LOG_ERR, "%s:%d: unknown setting '%s'", PJ_CONF_FILE, lineno, key);
    return 0;
}

/* Returns PAM_SUCCESS, or PAM_SERVICE_ERR with a syslog line naming the file and line. */
int pj_config_load(pam_handle_t *pamh, struct pj_config *cfg)
{
    char line[8192];
    int lineno = 0, ok = 1;

    memset(cfg, 0, sizeof(*cfg));
    strcpy(cfg->java_home, PJ_JAVA_HOME);
    strcpy(cfg->cache_dir, PJ_CACHE_DIR);

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
    while (ok && fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        char *s = trim(line);
        if (*s == '\0')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            pj_log(pamh, LOG_ERR, "%s:%d: expected 'name = value'", PJ_CONF_FILE, lineno);
            ok = 0;
            break;
        }
        *eq = '\0';
        ok = apply_setting(pamh, cfg, lineno, trim(s), trim(eq + 1));
    }
    fclose(f);
    return ok ? PAM_SUCCESS : PAM_SERVICE_ERR;
}
