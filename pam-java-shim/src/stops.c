/* stops.c: counts the process's SIGCONTs while timed waits run (stops.h). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "stops.h"

static unsigned long continues;
static struct sigaction host_sigcont;
static int timed_waiters;           /* serialised by the callers */

static void count_continue(int sig, siginfo_t *info, void *context)
{
    __atomic_add_fetch(&continues, 1, __ATOMIC_RELAXED);
    if (host_sigcont.sa_flags & SA_SIGINFO) {
        if (host_sigcont.sa_sigaction != NULL)
            host_sigcont.sa_sigaction(sig, info, context);
    } else if (host_sigcont.sa_handler != SIG_DFL && host_sigcont.sa_handler != SIG_IGN) {
        host_sigcont.sa_handler(sig);
    }
}

void pj_stops_watch(int delta)
{
    if (delta > 0 && timed_waiters++ == 0) {
        struct sigaction counter;
        memset(&counter, 0, sizeof(counter));
        counter.sa_sigaction = count_continue;
        counter.sa_flags = SA_SIGINFO | SA_RESTART;
        sigfillset(&counter.sa_mask);
        if (sigaction(SIGCONT, &counter, &host_sigcont) != 0)
            pj_log(NULL, LOG_WARNING, "cannot watch for SIGCONT: %s; a stopped process's time may count"
                   " towards the timeout", strerror(errno));
    } else if (delta < 0 && --timed_waiters == 0) {
        sigaction(SIGCONT, &host_sigcont, NULL);
    }
}

unsigned long pj_stops_seen(void)
{
    return __atomic_load_n(&continues, __ATOMIC_RELAXED);
}
