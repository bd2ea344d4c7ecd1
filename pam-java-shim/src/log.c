/* log.c: pam_java's diagnostics, and the JVM's own output, to syslog (LOG_AUTHPRIV). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <security/pam_ext.h>

#include "log.h"

/*
 * A message is one record: control characters (a newline in a user name that would otherwise
 * start a forged record of its own, an escape sequence for the admin's terminal) are written as
 * #ooo, octal, as rsyslog does by default. dst has room for 4 * strlen(src) + 1 bytes.
 */
static void escape_controls(char *dst, size_t size, const char *src)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p != '\0' && n + 5 < size; p++) {
        if (*p < 0x20 || *p == 0x7f)
            n += (size_t)snprintf(dst + n, size - n, "#%03o", *p);
        else
            dst[n++] = (char)*p;
    }
    dst[n] = '\0';
}

/*
 * With a PAM handle, pam_syslog(3) adds the service and module to the line; without one
 * (JVM output), plain syslog(3). Never openlog(3): that would change the host's own logging.
 */
void pj_log(pam_handle_t *pamh, int priority, const char *fmt, ...)
{
    char line[4096], escaped[8192];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    escape_controls(escaped, sizeof(escaped), line);
    if (pamh != NULL)
        pam_syslog(pamh, priority, "%s", escaped);
    else
        syslog(LOG_AUTHPRIV | priority, "pam_java: %s", escaped);
}

static pthread_mutex_t jvm_output_lock = PTHREAD_MUTEX_INITIALIZER;
static char jvm_output[1024];
static size_t jvm_output_len;

/* The JVM writes messages in pieces; send each complete line to syslog. */
jint pj_vfprintf_hook(FILE *stream, const char *format, va_list args)
{
    char piece[1024];
    int n = vsnprintf(piece, sizeof(piece), format, args);
    (void)stream;

    if (n < 0)
        return n;
    pthread_mutex_lock(&jvm_output_lock);
    for (const char *p = piece; *p != '\0'; p++) {
        if (*p == '\n' || jvm_output_len == sizeof(jvm_output) - 1) {
            jvm_output[jvm_output_len] = '\0';
            if (jvm_output_len > 0) {
                char escaped[4 * sizeof(jvm_output)];
                escape_controls(escaped, sizeof(escaped), jvm_output);
                syslog(LOG_AUTHPRIV | LOG_NOTICE, "pam_java: jvm: %s", escaped);
            }
            jvm_output_len = 0;
            if (*p == '\n')
                continue;
        }
        jvm_output[jvm_output_len++] = *p;
    }
    pthread_mutex_unlock(&jvm_output_lock);
    return n;
}
