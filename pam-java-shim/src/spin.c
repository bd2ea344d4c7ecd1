/* spin.c: the resident client's spin back-off, and whether a CPU is free (spin.h). */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "spin.h"

int pj_spin_should(struct pj_spin_policy *p)
{
    if (p->skip == 0)
        return 1;
    p->skip--;
    return 0;
}

void pj_spin_outcome(struct pj_spin_policy *p, int answered)
{
    if (answered) {
        p->level = 0;
        p->skip = 0;
        return;
    }
    if (p->level < PJ_SPIN_MOST_LEVEL)
        p->level++;
    p->skip = (1u << p->level) - 1;
}

void pj_spin_back_off_fully(struct pj_spin_policy *p)
{
    p->level = PJ_SPIN_MOST_LEVEL;
    p->skip = (1u << PJ_SPIN_MOST_LEVEL) - 1;
}

/* pj_spin_cpu_free from the text of /proc/loadavg: 1 when the text cannot be read. */
static int cpu_free_in(const char *loadavg, int cpus)
{
    int runnable;
    /* "0.42 0.37 0.30 2/345 6789": the load averages, then runnable/all tasks, the last pid. */
    if (sscanf(loadavg, "%*s %*s %*s %d/", &runnable) != 1 || runnable < 1)
        return 1;
    return runnable < cpus;
}

int pj_spin_cpu_free(void)
{
    char text[128];
    /* No /proc (a container without it), no descriptor left: spinning is decided by the back-off alone. */
    int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1;
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return 1;
    text[n] = '\0';
    return cpu_free_in(text, pj_usable_cpus());
}
