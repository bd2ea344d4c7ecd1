/* environment.h: the environment Java sees, and that a module's child processes inherit. */
#ifndef PJ_ENVIRONMENT_H
#define PJ_ENVIRONMENT_H

#include <security/pam_modules.h>

char **pj_environment_of(pam_handle_t *pamh);
void pj_environment_free(char **env);
void pj_environment_enter(char **env);
void pj_environment_leave(void);
void pj_environment_begin_jvm_start(void);
void pj_environment_end_jvm_start(void);

#endif
