/* syslog_capture.c: LD_PRELOAD library for tests: appends syslog lines to $PAM_JAVA_TEST_SYSLOG. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/* Read once, at load: pam_java gives Java's calls an environment of their own, without it. */
static const char *path;

__attribute__((constructor)) static void capture_path(void)
{
    path = getenv("PAM_JAVA_TEST_SYSLOG");
}

/* Each line: "<facility> <severity> <message>", one write(2) so concurrent threads do not mix. */
static void capture(int priority, const char *format, va_list ap)
{
    char message[8192];
    char line[8300];

    if (path == NULL)
        return;
    vsnprintf(message, sizeof(message), format, ap);
    for (char *p = message; *p != '\0'; p++)
        if (*p == '\n')
            *p = ' ';
    int n = snprintf(line, sizeof(line), "%d %d %s\n", LOG_FAC(priority) << 3, LOG_PRI(priority), message);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        if (write(fd, line, (size_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1)) < 0) {
            /* nothing to do: a test will see the line missing */
        }
        close(fd);
    }
}

void vsyslog(int priority, const char *format, va_list ap)
{
    capture(priority, format, ap);
}

void syslog(int priority, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    capture(priority, format, ap);
    va_end(ap);
}

void __vsyslog_chk(int priority, int flag, const char *format, va_list ap)
{
    (void)flag;
    capture(priority, format, ap);
}

void __syslog_chk(int priority, int flag, const char *format, ...)
{
    va_list ap;
    (void)flag;
    va_start(ap, format);
    capture(priority, format, ap);
    va_end(ap);
}
