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

static int usable_cpus;

int pj_usable_cpus(void)
{
    int n = __atomic_load_n(&usable_cpus, __ATOMIC_RELAXED);
    if (n == 0) {
        cpu_set_t cpus;
        n = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 0 ? CPU_COUNT(&cpus) : 1;
        __atomic_store_n(&usable_cpus, n, __ATOMIC_RELAXED);
    }
    return n;
}

long pj_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

int pj_spin_until(int (*ready)(void *arg), void *arg, long budget_ns)
{
    if (pj_usable_cpus() < 2)
        return -1;
    long until = pj_now_ns() + budget_ns;
    for (int i = 0; !ready(arg); i++) {
        cpu_relax();
        if ((i & 15) == 15 && pj_now_ns() > until)
            return 0;
    }
    return 1;
}
