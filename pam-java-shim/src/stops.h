/* stops.h: whether the process was stopped (SIGSTOP, SIGTSTP) while a timed wait ran. */
#ifndef PJ_STOPS_H
#define PJ_STOPS_H

/*
 * +1 when a timed wait begins, -1 when it ends; the caller serialises the calls (workers.c holds
 * its lock). The first installs a SIGCONT counter (the host's own handler still called), the last
 * puts the host's handler back.
 */
void pj_stops_watch(int delta);
/* How many SIGCONTs were counted so far: a change since a wait began means the process was stopped. */
unsigned long pj_stops_seen(void);

#endif
