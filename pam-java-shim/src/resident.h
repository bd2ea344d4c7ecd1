/* resident.h: the client of the resident service (pam-java-resident(8)): a module instance lives there. */
#ifndef PJ_RESIDENT_H
#define PJ_RESIDENT_H

#include <security/pam_modules.h>

#include "op.h"

/* Once, before the first connect: the socket's path ("": never) and pam_java.so's directory; both outlive calls. */
void pj_resident_configure(const char *socket, const char *module_dir);
/* A greeted connection, or -1: run in-process (nothing was sent; the reason logged once per process). */
int pj_resident_connect(pam_handle_t *pamh);
/* The instance on fd ended cleanly: keep the connection for this process's next handle. */
void pj_resident_release(int fd);
/* One operation (or the end hook) of the instance on *connection; on failure it is closed and set to -1. */
int pj_resident_call(pam_handle_t *pamh, int *connection, enum pj_op op, int flags, int argc, const char **argv,
                     long timeout_ms);

#endif
