/* log.h: pam_java's diagnostics, and the JVM's own output, to syslog (LOG_AUTHPRIV). */
#ifndef PJ_LOG_H
#define PJ_LOG_H

#include <jni.h>
#include <stdarg.h>
#include <stdio.h>
#include <security/pam_modules.h>

/* pam_syslog(3) with a handle, else syslog(3); control characters escaped (one record per message). */
void pj_log(pam_handle_t *pamh, int priority, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* HotSpot's vfprintf hook: each complete line of the JVM's output becomes a syslog record. */
jint pj_vfprintf_hook(FILE *stream, const char *format, va_list args);

#endif
