/* requests.h: the resident client's answers to the service's requests, and its log records (docs/resident-protocol.md). */
#ifndef PJ_REQUESTS_H
#define PJ_REQUESTS_H

#include <security/pam_modules.h>

#include "wire.h"

/* Reads the request `what` from rq and builds its REPLY in o; an unknown or short one marks rq bad. */
void pj_answer_request(pam_handle_t *pamh, unsigned what, struct pj_in *rq, struct pj_out *o);

/* Writes the record of a LOG frame (its kind read) with pam_syslog(3); a malformed one marks lg bad. */
void pj_write_log_record(pam_handle_t *pamh, struct pj_in *lg);

#endif
