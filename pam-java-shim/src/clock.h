/* clock.h: the monotonic clock, and the one spin-then-sleep helper every wait of pam_java.so uses. */
#ifndef PJ_CLOCK_H
#define PJ_CLOCK_H

/*
 * A hand-off between two threads or two processes usually completes within microseconds, and a
 * sleep and wake-up (a futex or poll, two context switches each way) costs more than that
 * (measured: half of a warm transaction's time was in the kernel). So a wait first spins, for a
 * bounded time, and only then sleeps; never with a single CPU, where spinning would only keep
 * the other side from running. Two budgets (the most a spin takes; the resident client spins
 * only when its back-off says so, spin.h):
 */
#define PJ_SPIN_ANSWER_NS 60000L    /* waiting for the answer to what was just handed over */
#define PJ_SPIN_NEXT_NS 120000L     /* waiting for the next call (covers libpam's walk between two) */

long pj_now_ns(void);       /* CLOCK_MONOTONIC */

/* The CPUs this process may run on (its affinity mask, read once); 1 when it cannot be read. */
int pj_usable_cpus(void);

/*
 * Spins until ready(arg) is true (returns 1) or budget_ns has passed (returns 0); returns -1 at
 * once, without spinning, when the process may use a single CPU. The caller then sleeps. ready
 * may do the work itself (a non-blocking read).
 */
int pj_spin_until(int (*ready)(void *arg), void *arg, long budget_ns);

#endif
