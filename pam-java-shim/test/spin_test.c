/*
 * spin_test.c: the resident client's spin back-off (src/spin.c), deterministic: which waits spin
 * after which outcomes, and what /proc/loadavg's text says about a free CPU. No timing. Includes
 * the source, so its static functions are reachable. `make test` (the shim's test phase) runs it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../src/clock.c"
#include "../src/spin.c"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "spin_test: " __VA_ARGS__); fputc('\n', stderr); failures++; } } while (0)

/* How many waits in a row sleep before the next one may spin again. */
static unsigned sleeps_before_next_spin(struct pj_spin_policy *p)
{
    unsigned n = 0;
    while (!pj_spin_should(p))
        n++;
    return n;
}

static void a_new_thread_spins_and_answered_spins_keep_it_spinning(void)
{
    struct pj_spin_policy p = { 0, 0 };
    for (int i = 0; i < 100; i++) {
        CHECK(pj_spin_should(&p), "wait %d after answered spins did not spin", i);
        pj_spin_outcome(&p, 1);
    }
}

static void unanswered_spins_in_a_row_back_off_exponentially_up_to_one_in_64(void)
{
    struct pj_spin_policy p = { 0, 0 };
    unsigned expected[] = { 1, 3, 7, 15, 31, 63, 63, 63 };
    for (unsigned i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        CHECK(pj_spin_should(&p), "failure %u: the wait that probes did not spin", i);
        pj_spin_outcome(&p, 0);
        unsigned slept = sleeps_before_next_spin(&p);
        CHECK(slept == expected[i], "after %u unanswered spins in a row, %u waits slept (expected %u)", i + 1,
              slept, expected[i]);
    }
    CHECK(p.level == PJ_SPIN_MOST_LEVEL, "level %u beyond the most, %d", p.level, PJ_SPIN_MOST_LEVEL);
}

static void one_answered_spin_resets_the_back_off(void)
{
    struct pj_spin_policy p = { 0, 0 };
    for (int i = 0; i < 5; i++) {
        (void)sleeps_before_next_spin(&p);
        pj_spin_outcome(&p, 0);
    }
    (void)sleeps_before_next_spin(&p);
    pj_spin_outcome(&p, 1);
    CHECK(p.level == 0 && p.skip == 0, "an answered spin left level %u, skip %u", p.level, p.skip);
    CHECK(pj_spin_should(&p), "the wait after an answered spin did not spin");
    pj_spin_outcome(&p, 0);
    CHECK(sleeps_before_next_spin(&p) == 1, "a failure after the reset backed off more than once");
}

static void a_busy_machine_starts_a_connection_at_the_longest_back_off(void)
{
    struct pj_spin_policy p = { 0, 0 };
    pj_spin_back_off_fully(&p);
    CHECK(sleeps_before_next_spin(&p) == 63, "the full back-off does not sleep 63 waits");
    pj_spin_outcome(&p, 0);
    CHECK(sleeps_before_next_spin(&p) == 63, "an unanswered probe after the full back-off changed it");
}

static void loadavg_says_whether_a_cpu_is_free(void)
{
    CHECK(cpu_free_in("0.52 0.58 0.59 1/389 12345\n", 2), "only this thread runnable, 2 CPUs: not free");
    CHECK(!cpu_free_in("0.52 0.58 0.59 2/389 12345\n", 2), "2 runnable, 2 CPUs: free");
    CHECK(!cpu_free_in("9.10 8.00 7.00 64/389 12345\n", 2), "64 runnable, 2 CPUs: free");
    CHECK(cpu_free_in("3.00 2.00 1.00 3/900 1\n", 4), "3 runnable, 4 CPUs: not free");
    CHECK(!cpu_free_in("0.00 0.00 0.00 1/10 1\n", 1), "1 CPU, this thread runnable: free");
    CHECK(cpu_free_in("", 2), "empty text: not 'cannot tell'");
    CHECK(cpu_free_in("garbage", 2), "garbage: not 'cannot tell'");
    CHECK(cpu_free_in("0.1 0.2 0.3 0/10 1", 2), "0 runnable (impossible: the reader runs): not 'cannot tell'");
}

int main(void)
{
    a_new_thread_spins_and_answered_spins_keep_it_spinning();
    unanswered_spins_in_a_row_back_off_exponentially_up_to_one_in_64();
    one_answered_spin_resets_the_back_off();
    a_busy_machine_starts_a_connection_at_the_longest_back_off();
    loadavg_says_whether_a_cpu_is_free();
    if (failures != 0) {
        fprintf(stderr, "spin_test: %d checks failed\n", failures);
        return 1;
    }
    printf("spin_test: the back-off and the free-CPU reading behave\n");
    return 0;
}
