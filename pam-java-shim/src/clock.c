/* clock.c: the monotonic clock and the spin-then-sleep helper (clock.h). */
#include <sched.h>
#include <time.h>

#include "clock.h"

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() do {} while (0)
#endif

static int spinning_allowed = -1;

static int may_spin(void)
{
    int allowed = __atomic_load_n(&spinning_allowed, __ATOMIC_RELAXED);
    if (allowed < 0) {
        cpu_set_t cpus;
        allowed = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1;
        __atomic_store_n(&spinning_allowed, allowed, __ATOMIC_RELAXED);
    }
    return allowed;
}

long pj_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

int pj_spin_until(int (*ready)(void *arg), void *arg, long budget_ns)
{
    if (!may_spin())
        return 0;
    long until = pj_now_ns() + budget_ns;
    for (int i = 0; !ready(arg); i++) {
        cpu_relax();
        if ((i & 15) == 15 && pj_now_ns() > until)
            return 0;
    }
    return 1;
}
