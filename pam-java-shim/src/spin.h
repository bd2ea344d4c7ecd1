/*
 * spin.h: whether a wait for the resident service spins first (clock.h) or sleeps at once: an
 * adaptive back-off, one state per thread of the application (a thread waits on one connection at
 * a time, and every connection of a process goes to the one service).
 *
 * A spin pays only when the answer comes within it, and that needs a CPU for the service while this
 * side spins. On a machine busy with other work (a login storm, builds) the answer rarely does: the
 * spin's whole budget is burnt, and the CPU it takes is the one the service was waiting for (with
 * two cores shared with others, a warm transaction that spun on both sides took 8x pam_permit's
 * time). So a spin the answer did not cover makes the next 2^k - 1 waits sleep at once (k: such
 * spins in a row, at most PJ_SPIN_MOST_LEVEL, then one spin in 64 waits), and one it covered
 * resets the back-off: where spinning pays it goes on, where it does not it costs 1/64 of it.
 * A new connection starts at the longest back-off when no CPU is free at that moment
 * (pj_spin_cpu_free): a cold login on a busy machine then never spins.
 */
#ifndef PJ_SPIN_H
#define PJ_SPIN_H

#define PJ_SPIN_MOST_LEVEL 6

struct pj_spin_policy {
    unsigned level;     /* spins in a row the answer did not cover, at most PJ_SPIN_MOST_LEVEL */
    unsigned skip;      /* waits left that sleep without spinning */
};

/* Whether this wait may spin; a wait that may not counts down the back-off. */
int pj_spin_should(struct pj_spin_policy *p);
/* After a wait that spun: whether the answer came within the spin. */
void pj_spin_outcome(struct pj_spin_policy *p, int answered);
/* The longest back-off, as after PJ_SPIN_MOST_LEVEL spins in a row that were not answered. */
void pj_spin_back_off_fully(struct pj_spin_policy *p);

/*
 * Whether a CPU is free for the service now: fewer tasks runnable on the machine (the 4th field
 * of /proc/loadavg, this thread included) than this process may use CPUs. 1 when it cannot tell.
 */
int pj_spin_cpu_free(void);

#endif
