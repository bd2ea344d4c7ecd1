/* connection.h: a new, greeted connection to the resident service, within bounds (resident.c's way in). */
#ifndef PJ_CONNECTION_H
#define PJ_CONNECTION_H

#include <limits.h>
#include <stdint.h>

/*
 * The bounds before a call has run in the service. Nothing has been sent to it then, so the
 * module runs in-process instead, once:
 *  - PJ_GREETING_MS: a new connection's greeting, counted from its connect (a connect that finds
 *    the backlog full retries within it). Under systemd the socket outlives the service: while it
 *    restarts (Restart=always, RestartSec=1), connections queue in the backlog systemd keeps, and
 *    the new service greets them. That is RestartSec's 1 s, the 0.25-0.85 s from exec to the
 *    first greeting (measured on 2 cores busy with builds; a login made just after a SIGKILL was
 *    greeted 1.6-2.4 s later at a load average of 7.5), and in a login storm the queue (200
 *    connections at once took over 1 s to greet): 5 s covers a restart in a storm, so a login
 *    during a restart is served by the new service instead of starting a JVM of its own (32 ms
 *    and 31 MB more, in a storm that loads the machine further). A service that is stopped or
 *    hung costs each new connection this.
 *  - PJ_CONNECT_MS: an answer from a service that is running: the handshake after its greeting, a
 *    kept connection's check, and the liveness probe's greeting (resident.c's LIVENESS_NS).
 *    Generous for a loaded machine; a service that is really stopped costs this once.
 *  - PJ_REFUSED_MS: a socket file nobody listens on (ECONNREFUSED): a service started by hand that
 *    died, or is between two runs (it binds within a second of its start), retried every
 *    PJ_REFUSED_RETRY_US. Once per process: a socket a dead service left costs a process this once.
 *  - none for a missing socket (ENOENT: the socket unit not enabled, no systemd, a container):
 *    in-process at once, after one faccessat(2).
 */
#define PJ_GREETING_MS 5000
#define PJ_CONNECT_MS 3000
#define PJ_REFUSED_MS 1000
#define PJ_REFUSED_RETRY_US 20000

/* Room for why a connection was not made: the middle of the line that says so ("is not available (...)"). */
#define PJ_WHY_MAX (PATH_MAX + 160)

/*
 * A new connection to the service at socket_path, greeted within greeting_ms of its connect, or
 * -1 with errno set and why (PJ_WHY_MAX bytes) saying why; EPROTONOSUPPORT: it speaks another
 * version, *version. wait_refused: a refusing socket is retried for PJ_REFUSED_MS (once per process).
 */
int pj_connect_greeted(const char *socket_path, long greeting_ms, int wait_refused, uint32_t *version, char *why);

#endif
