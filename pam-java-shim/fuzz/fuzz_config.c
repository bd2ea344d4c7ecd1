/*
 * fuzz_config.c: the pam_java.conf parser (src/config.c). The input is the file's text; the file
 * is a real one (root's, in a private directory under /tmp, so the ownership checks pass as root),
 * read by pj_config_load as pam_java.so reads its own. Whatever the text, the result is a PAM code
 * and a configuration whose every string is terminated inside its field and whose values keep
 * the rules pam_java(8) gives.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char fuzz_conf_file[PATH_MAX];

#include "../src/config.c"
#include "harness.h"

static char conf_dir[] = "/tmp/pam-java-fuzz-config.XXXXXX";

static void remove_conf_dir(void)
{
    unlink(fuzz_conf_file);
    rmdir(conf_dir);
}

static void write_file(const uint8_t *data, size_t size)
{
    if (fuzz_conf_file[0] == '\0') {
        if (mkdtemp(conf_dir) == NULL)
            abort();
        snprintf(fuzz_conf_file, sizeof(fuzz_conf_file), "%s/pam_java.conf", conf_dir);
        atexit(remove_conf_dir);
    }
    int fd = open(fuzz_conf_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        abort();
    for (size_t done = 0; done < size; ) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    close(fd);
}

static void check_terminated(const char *field, size_t size)
{
    if (memchr(field, '\0', size) == NULL)
        abort();
}

/* Whether some line, without its LF (and the CR of a CRLF), is longer than the grammar allows. */
static int has_overlong_line(const uint8_t *data, size_t size)
{
    for (size_t start = 0; start < size; ) {
        const uint8_t *lf = memchr(data + start, '\n', size - start);
        size_t end = lf != NULL ? (size_t)(lf - data) : size;
        size_t len = end - start;
        if (lf != NULL && len > 0 && data[end - 1] == '\r')
            len--;
        if (len > PJ_CONF_LINE_MAX)
            return 1;
        start = end + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pj_config cfg;

    write_file(data, size);
    int rc = pj_config_load(NULL, &cfg);
    if (rc != PAM_SUCCESS && rc != PAM_SERVICE_ERR && rc != PAM_BUF_ERR)
        abort();
    if (rc == PAM_SUCCESS && has_overlong_line(data, size))
        abort();                        /* an over-long line is an error, never two lines */
    check_terminated(cfg.java_home, sizeof(cfg.java_home));
    check_terminated(cfg.jvm_options, sizeof(cfg.jvm_options));
    check_terminated(cfg.class_path, sizeof(cfg.class_path));
    check_terminated(cfg.cache_dir, sizeof(cfg.cache_dir));
    check_terminated(cfg.resident_socket, sizeof(cfg.resident_socket));
    if (rc == PAM_SUCCESS) {
        if (cfg.timeout_ms < 0 || cfg.timeout_ms > 86400L * 1000)
            abort();
        if (cfg.cache_dir[0] != '/' || (cfg.resident_socket[0] != '\0' && cfg.resident_socket[0] != '/'))
            abort();
        for (const char *entry = cfg.class_path; *entry != '\0'; ) {
            if (*entry != '/' && *entry != ':')
                abort();
            const char *colon = strchr(entry, ':');
            entry = colon != NULL ? colon + 1 : entry + strlen(entry);
        }
    }
    return 0;
}
