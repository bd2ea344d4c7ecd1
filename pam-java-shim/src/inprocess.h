/* inprocess.h: the in-process path: a module instance lives in a JVM inside the calling process. */
#ifndef PJ_INPROCESS_H
#define PJ_INPROCESS_H

#include <security/pam_modules.h>

#include "config.h"
#include "op.h"

/* Once, before the first call: cfg and module_dir outlive every call. */
void pj_inprocess_configure(const struct pj_config *cfg, const char *module_dir);
/* One operation of the instance token of argv[0]'s module on pamh; a PAM code (every failure logged). */
int pj_inprocess_run(pam_handle_t *pamh, enum pj_op op, int flags, int argc, const char **argv,
                     unsigned long long token);
/* pam_end's end hook of the instance (status: pam_end's); nothing in a process forked after Java started. */
void pj_inprocess_end(pam_handle_t *pamh, int status, const char *module, unsigned long long token);

#endif
