/* log.c: pam_java's diagnostics, and the JVM's own output, to syslog (LOG_AUTHPRIV). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <security/pam_ext.h>

#include "pam_java.h"

/*
 * With a PAM handle, pam_syslog(3) adds the service and module to the line; without one
 * (JVM output), plain syslog(3). Never openlog(3): that would change the host's own logging.
 */
void pj_log(pam_handle_t *pamh, int priority, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (pamh != NULL)
        pam_vsyslog(pamh, priority, fmt, ap);
    else {
        char line[1024];
        vsnprintf(line, sizeof(line), fmt, ap);
        syslog(LOG_AUTHPRIV | priority, "pam_java: %s", line);
    }
    va_end(ap);
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
            if (jvm_output_len > 0)
                syslog(LOG_AUTHPRIV | LOG_NOTICE, "pam_java: jvm: %s", jvm_output);
            jvm_output_len = 0;
            if (*p == '\n')
                continue;
        }
        jvm_output[jvm_output_len++] = *p;
    }
    pthread_mutex_unlock(&jvm_output_lock);
    return n;
}

void pj_exit_hook(jint code)
{
    syslog(LOG_AUTHPRIV | LOG_CRIT, "pam_java: the JVM is exiting the host process (status %d)", (int)code);
}

void pj_abort_hook(void)
{
    syslog(LOG_AUTHPRIV | LOG_CRIT, "pam_java: the JVM aborted the host process");
}
