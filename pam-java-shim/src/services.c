/* services.c: the libpam services, once for the JNI natives and the resident client (services.h). */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <security/pam_ext.h>

#include "log.h"
#include "services.h"

void pj_wipe_free(char *s)
{
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

/*
 * The items that are strings, the only ones Java reads and sets (in-process and through the
 * resident service): the others hold pointers to structures (PAM_CONV, PAM_FAIL_DELAY,
 * PAM_XAUTHDATA), which strlen() would run past and a byte array would overwrite.
 */
static int pj_string_item(int type)
{
    switch (type) {
    case PAM_SERVICE: case PAM_USER: case PAM_TTY: case PAM_RHOST: case PAM_AUTHTOK: case PAM_OLDAUTHTOK:
    case PAM_RUSER: case PAM_USER_PROMPT: case PAM_XDISPLAY: case PAM_AUTHTOK_TYPE:
        return 1;
    default:
        return 0;
    }
}

int pj_item_get(pam_handle_t *pamh, int type, const char **value)
{
    const void *item = NULL;
    int rc = pj_string_item(type) ? pam_get_item(pamh, type, &item) : PAM_BAD_ITEM;
    *value = rc == PAM_SUCCESS ? item : NULL;
    return rc;
}

int pj_item_set(pam_handle_t *pamh, int type, const char *value)
{
    /* libpam lower-cases a new service name in place: NULL would crash the application. */
    if (!pj_string_item(type) || (type == PAM_SERVICE && value == NULL))
        return PAM_BAD_ITEM;
    return pam_set_item(pamh, type, value);
}

int pj_xauth_get(pam_handle_t *pamh, const char **name, size_t *namelen, const char **data, size_t *datalen)
{
    const void *item = NULL;
    int rc = pam_get_item(pamh, PAM_XAUTHDATA, &item);
    const struct pam_xauth_data *x = rc == PAM_SUCCESS ? item : NULL;

    *name = *data = NULL;
    *namelen = *datalen = 0;
    if (x != NULL && x->name != NULL) {
        /* The name's length, never past its NUL: another module may have set a namelen beyond it. */
        *name = x->name;
        *namelen = x->namelen > 0 ? strnlen(x->name, (size_t)x->namelen) : 0;
        *data = x->data ? x->data : "";
        *datalen = x->data ? (size_t)x->datalen : 0;
    }
    return rc;
}

/*
 * pam_set_item(PAM_XAUTHDATA); name NULL clears it. libpam copies the structure and its strings.
 * It dereferences the pointer even when NULL, so clearing means setting an empty structure;
 * libpam (1.5.2) then clears the item but reports PAM_BUF_ERR because it cannot copy the NULL name.
 */
int pj_xauth_set(pam_handle_t *pamh, const char *name, size_t namelen, const char *data, size_t datalen)
{
    struct pam_xauth_data x = { (int)namelen, (char *)name, (int)datalen,
                                (char *)(data != NULL ? data : (name != NULL ? "" : NULL)) };
    if (name == NULL) {
        x.namelen = x.datalen = 0;
        x.data = NULL;
    }
    /* libpam keeps a strdup of the name but the namelen it was given: a NUL inside the name would
     * make every later read of namelen bytes run past libpam's copy. */
    if (x.name != NULL && strnlen(x.name, (size_t)x.namelen) != (size_t)x.namelen)
        return PAM_BAD_ITEM;
    int rc = pam_set_item(pamh, PAM_XAUTHDATA, &x);
    return x.name == NULL && rc == PAM_BUF_ERR ? PAM_SUCCESS : rc;
}

const char *pj_env_get(pam_handle_t *pamh, const char *name)
{
    return pam_getenv(pamh, name);
}

int pj_env_put(pam_handle_t *pamh, const char *name_value)
{
    return pam_putenv(pamh, name_value);
}

char **pj_env_list(pam_handle_t *pamh)
{
    char **list = pam_getenvlist(pamh);
    if (list == NULL)
        pj_log(NULL, LOG_ERR, "pam_getenvlist failed (out of memory)");
    return list;
}

void pj_env_list_free(char **list)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++)
        pj_wipe_free(list[i]);
    free(list);
}

int pj_converse(pam_handle_t *pamh, int n, const struct pam_message **messages, struct pam_response **responses)
{
    const void *item = NULL;
    const struct pam_conv *conv;
    int rc = pam_get_item(pamh, PAM_CONV, &item);

    conv = item;
    if (rc == PAM_SUCCESS && (conv == NULL || conv->conv == NULL))
        rc = PAM_CONV_ERR;
    if (rc == PAM_SUCCESS)
        rc = conv->conv(n, messages, responses, conv->appdata_ptr);
    if (rc == PAM_SUCCESS && *responses == NULL)
        rc = PAM_CONV_ERR;
    size_t total = 0;
    for (int i = 0; rc == PAM_SUCCESS && i < n; i++)
        total += (*responses)[i].resp != NULL ? strnlen((*responses)[i].resp, PJ_MAX_REPLIES_BYTES + 1) : 0;
    if (rc == PAM_SUCCESS && total > PJ_MAX_REPLIES_BYTES) {
        pj_log(pamh, LOG_ERR, "the application's conversation replied with more than %d bytes;"
               " the conversation fails (PAM_CONV_ERR)", PJ_MAX_REPLIES_BYTES);
        pj_responses_free(*responses, n);
        *responses = NULL;
        rc = PAM_CONV_ERR;
    }
    return rc;
}

void pj_responses_free(struct pam_response *responses, int n)
{
    /* Replies hold what the user typed: wipe them before they go back to the allocator. */
    for (int i = 0; responses != NULL && i < n; i++)
        pj_wipe_free(responses[i].resp);
    free(responses);
}

int pj_fail_delay(pam_handle_t *pamh, unsigned int usec)
{
    return pam_fail_delay(pamh, usec);
}

int pj_get_user_copy(pam_handle_t *pamh, const char *prompt, char **user)
{
    const char *name = NULL;
    int rc = pam_get_user(pamh, &name, prompt);

    *user = NULL;
    if (rc == PAM_SUCCESS && name != NULL && (*user = strdup(name)) == NULL) {
        pj_log(NULL, LOG_ERR, "out of memory copying the user name");
        rc = PAM_BUF_ERR;
    }
    return rc;
}

int pj_get_authtok_copy(pam_handle_t *pamh, int which, const char *prompt, char **token)
{
    const char *tok = NULL;
    int rc;

    *token = NULL;
    switch (which) {
    case PJ_AUTHTOK:
        rc = pam_get_authtok(pamh, PAM_AUTHTOK, &tok, prompt);
        break;
    case PJ_OLDAUTHTOK:
        rc = pam_get_authtok(pamh, PAM_OLDAUTHTOK, &tok, prompt);
        break;
    case PJ_AUTHTOK_NOVERIFY:
        rc = pam_get_authtok_noverify(pamh, &tok, prompt);
        break;
    case PJ_AUTHTOK_VERIFY:
        /* libpam compares the retyped answer with *authtok, the token noverify got (the item);
         * with no item it would read through NULL: there is nothing to verify. */
        rc = pam_get_item(pamh, PAM_AUTHTOK, (const void **)&tok);
        if (rc == PAM_SUCCESS && tok == NULL)
            rc = PAM_AUTHTOK_ERR;
        if (rc == PAM_SUCCESS)
            rc = pam_get_authtok_verify(pamh, &tok, prompt);
        break;
    default:
        return PAM_SYSTEM_ERR;
    }
    if (rc == PAM_SUCCESS && tok == NULL)
        rc = PAM_AUTHTOK_ERR;
    /* The token is the application's reply (or another module's): the bound of every reply. */
    if (rc == PAM_SUCCESS && strnlen(tok, PJ_MAX_REPLIES_BYTES + 1) > PJ_MAX_REPLIES_BYTES) {
        pj_log(pamh, LOG_ERR, "the token pam_get_authtok returned has more than %d bytes;"
               " it fails (PAM_AUTHTOK_ERR)", PJ_MAX_REPLIES_BYTES);
        rc = PAM_AUTHTOK_ERR;
    }
    if (rc == PAM_SUCCESS && (*token = strdup(tok)) == NULL) {
        pj_log(NULL, LOG_ERR, "out of memory copying the token");
        rc = PAM_BUF_ERR;
    }
    return rc;
}

const char *pj_strerror(pam_handle_t *pamh, int errnum)
{
    return pam_strerror(pamh, errnum);
}

/* The facility is pam_java's (LOG_AUTHPRIV): a module chooses the level only. */
void pj_log_line(pam_handle_t *pamh, int priority, const char *text)
{
    pj_log(pamh, priority & LOG_PRIMASK, "%s", text);
}
