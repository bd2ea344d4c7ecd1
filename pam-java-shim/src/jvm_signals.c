/*
 * jvm_signals.c: the host keeps its signal dispositions across a JVM start, and signals another
 * process sends never reach HotSpot's fault handlers (jvm_signals.h).
 */
#include <signal.h>
#include <string.h>
#include <syslog.h>

#include "jvm_signals.h"
#include "log.h"

/*
 * HotSpot needs its handlers for the synchronous signals it raises itself (SIGSEGV for null
 * checks and safepoints, SIGBUS, SIGILL, SIGFPE) and for its suspend/resume signal (SIGUSR2).
 * Every other disposition it sets at creation (SIGPIPE, SIGXFSZ, ...) goes back to the host's:
 * the threads Java runs on block those signals, so Java sees EPIPE/EFBIG instead.
 */
static int jvm_owns_signal(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGUSR2;
}

static struct sigaction host_actions[NSIG];
static struct sigaction jvm_actions[NSIG];
void pj_signals_save_host(void)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (sigaction(sig, NULL, &host_actions[sig]) != 0)
            host_actions[sig].sa_handler = SIG_ERR;
}

void pj_signals_restore_host(void)
{
    struct sigaction now;

    for (int sig = 1; sig < NSIG; sig++) {
        if (jvm_owns_signal(sig) || host_actions[sig].sa_handler == SIG_ERR || sigaction(sig, NULL, &now) != 0)
            continue;
        if (now.sa_handler != host_actions[sig].sa_handler || now.sa_flags != host_actions[sig].sa_flags)
            sigaction(sig, &host_actions[sig], NULL);
    }
}

/*
 * The signals HotSpot owns are raised by faults, but a user may send them to their own setuid
 * host, with a siginfo of their choosing (rt_tgsigqueueinfo): HotSpot would read a forged fault
 * address 0 as an implicit null check and throw a NullPointerException into whatever module code
 * runs, or treat it as a crash. A signal another process sent (si_code <= 0: SI_USER, SI_QUEUE,
 * SI_TKILL, ...) gets what the host would have done without pam_java; only faults reach HotSpot.
 */
static void filter_sent_signals(int sig, siginfo_t *info, void *context)
{
    if (info == NULL || info->si_code > 0) {
        if (jvm_actions[sig].sa_flags & SA_SIGINFO)
            jvm_actions[sig].sa_sigaction(sig, info, context);
        else if (jvm_actions[sig].sa_handler != SIG_DFL && jvm_actions[sig].sa_handler != SIG_IGN)
            jvm_actions[sig].sa_handler(sig);
        return;
    }
    const struct sigaction *host = &host_actions[sig];
    if ((host->sa_flags & SA_SIGINFO) && host->sa_sigaction != NULL) {
        host->sa_sigaction(sig, info, context);
    } else if (host->sa_handler == SIG_IGN) {
        return;
    } else if (host->sa_handler != SIG_DFL && host->sa_handler != SIG_ERR) {
        host->sa_handler(sig);
    } else {
        /* The default action, as without pam_java: delivered once this handler returns. */
        signal(sig, SIG_DFL);
        raise(sig);
    }
}

void pj_signals_filter_sent_to_jvm(void)
{
    const int owned[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
        int sig = owned[i];
        struct sigaction filter;
        if (sigaction(sig, NULL, &jvm_actions[sig]) != 0 || !(jvm_actions[sig].sa_flags & SA_SIGINFO)) {
            pj_log(NULL, LOG_WARNING, "signal %d: HotSpot's handler is not where pam_java expects it;"
                   " signals sent to the process reach the JVM unfiltered", sig);
            continue;
        }
        filter = jvm_actions[sig];
        filter.sa_sigaction = filter_sent_signals;
        sigaction(sig, &filter, NULL);
    }
}
