/*
 * services.h: the libpam services a Java module uses, written once for both ways a module runs:
 * the JNI natives (natives.c, in-process) and the resident client's answers to the service's
 * requests (requests.c). Each takes the handle and plain C strings; each guard lives here only.
 * They run on the thread that may call libpam on the handle (the caller takes care of that).
 */
#ifndef PJ_SERVICES_H
#define PJ_SERVICES_H

#include <stddef.h>
#include <security/pam_appl.h>
#include <security/pam_modules.h>

/* A string item (PAM_BAD_ITEM for any other type: those hold structures). *value may be NULL. */
int pj_item_get(pam_handle_t *pamh, int type, const char **value);
/* Sets a string item (PAM_BAD_ITEM for another type, or for PAM_SERVICE to NULL). */
int pj_item_set(pam_handle_t *pamh, int type, const char *value);
/* PAM_XAUTHDATA: *name NULL when unset; lengths never past a NUL libpam may hold. */
int pj_xauth_get(pam_handle_t *pamh, const char **name, size_t *namelen, const char **data, size_t *datalen);
/* name NULL clears it; a name with a NUL inside its length is PAM_BAD_ITEM. */
int pj_xauth_set(pam_handle_t *pamh, const char *name, size_t namelen, const char *data, size_t datalen);
const char *pj_env_get(pam_handle_t *pamh, const char *name);
int pj_env_put(pam_handle_t *pamh, const char *name_value);
/* pam_getenvlist(3), or NULL (logged); free it with pj_env_list_free. */
char **pj_env_list(pam_handle_t *pamh);
void pj_env_list_free(char **list);
/*
 * The most reply text a conversation may bring back, all replies together: a bigger answer fails
 * the conversation (PAM_CONV_ERR, logged), in-process and through the resident service alike, so
 * a module sees the same outcome in both (a service's frame holds at most PJ_WIRE_MAX_FRAME).
 * Passwords and codes are bytes long; PAM_MAX_RESP_SIZE is 512.
 */
#define PJ_MAX_REPLIES_BYTES (512 * 1024)
/* The application's conversation function; on success *responses holds n replies (pj_responses_free). */
int pj_converse(pam_handle_t *pamh, int n, const struct pam_message **messages, struct pam_response **responses);
void pj_responses_free(struct pam_response *responses, int n);
int pj_fail_delay(pam_handle_t *pamh, unsigned int usec);
/* pam_get_user(3), with a malloc'd copy of the name in *user (NULL unless PAM_SUCCESS). */
int pj_get_user_copy(pam_handle_t *pamh, const char *prompt, char **user);
/* Which pam_get_authtok(3) a module asks for (the runtime's PamCalls and the wire use the same numbers). */
enum pj_authtok {
    PJ_AUTHTOK = 0,              /* pam_get_authtok(PAM_AUTHTOK) */
    PJ_OLDAUTHTOK = 1,           /* pam_get_authtok(PAM_OLDAUTHTOK) */
    PJ_AUTHTOK_NOVERIFY = 2,     /* pam_get_authtok_noverify */
    PJ_AUTHTOK_VERIFY = 3        /* pam_get_authtok_verify of the PAM_AUTHTOK item */
};
/*
 * libpam's own pam_get_authtok family, run as pam_java.so, the module libpam is running: the rule's
 * arguments and the operation are libpam's. A wiped-when-freed copy of the token in *token (NULL
 * unless PAM_SUCCESS); a token longer than PJ_MAX_REPLIES_BYTES is PAM_AUTHTOK_ERR (logged).
 * May converse: run it on the application's thread.
 */
int pj_get_authtok_copy(pam_handle_t *pamh, int which, const char *prompt, char **token);
const char *pj_strerror(pam_handle_t *pamh, int errnum);
/* A module's log line: pam_syslog with a handle, syslog without; only the priority's level is kept. */
void pj_log_line(pam_handle_t *pamh, int priority, const char *text);
/* Zeroes a string that may hold a secret, then frees it (NULL is fine). */
void pj_wipe_free(char *s);

#endif
