/*
 * requests.c: the resident client's handler of what the service sends during a call: each
 * REQUEST is one libpam service (services.h), run on the application's thread, its REPLY built
 * here; each LOG frame a record for pam_syslog(3) (requests.h).
 */
#include <stdlib.h>
#include <security/pam_appl.h>

#include "requests.h"
#include "services.h"

_Static_assert(PJ_WIRE_AUTHTOK == PJ_AUTHTOK && PJ_WIRE_OLDAUTHTOK == PJ_OLDAUTHTOK
               && PJ_WIRE_AUTHTOK_NOVERIFY == PJ_AUTHTOK_NOVERIFY && PJ_WIRE_AUTHTOK_VERIFY == PJ_AUTHTOK_VERIFY,
               "the wire's pam_get_authtok kinds are services.h's");

/* The reply to one request: runs the libpam service on this (the application's) thread. */
void pj_answer_request(pam_handle_t *pamh, unsigned what, struct pj_in *rq, struct pj_out *o)
{
    char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    const char *value = NULL;
    int rc;

    pj_out_start(o, PJ_WIRE_REPLY);
    switch (what) {
    case PJ_WIRE_GET_ITEM: {
        int type = (int)pj_get_u32(rq);
        rc = rq->bad ? PAM_SYSTEM_ERR : pj_item_get(pamh, type, &value);
        pj_put_u32(o, (uint32_t)rc);
        pj_put_cstr(o, rc == PAM_SUCCESS ? value : NULL);
        break;
    }
    case PJ_WIRE_SET_ITEM: {
        int type = (int)pj_get_u32(rq);
        a = pj_get_str(rq, NULL);
        rc = rq->bad ? PAM_SYSTEM_ERR : pj_item_set(pamh, type, a);
        pj_put_u32(o, (uint32_t)rc);
        break;
    }
    case PJ_WIRE_GET_XAUTH: {
        const char *data;
        rc = pj_xauth_get(pamh, &value, &alen, &data, &blen);
        pj_put_u32(o, (uint32_t)rc);
        pj_put_str(o, value, alen);
        pj_put_str(o, value != NULL ? data : NULL, blen);
        break;
    }
    case PJ_WIRE_SET_XAUTH: {
        a = pj_get_str(rq, &alen);
        b = pj_get_str(rq, &blen);
        pj_put_u32(o, (uint32_t)(rq->bad ? PAM_SYSTEM_ERR : pj_xauth_set(pamh, a, alen, b, blen)));
        break;
    }
    case PJ_WIRE_GET_ENV: {
        a = pj_get_str(rq, NULL);
        value = rq->bad || a == NULL ? NULL : pj_env_get(pamh, a);
        pj_put_u32(o, rq->bad || a == NULL ? PAM_SYSTEM_ERR : PAM_SUCCESS);
        pj_put_cstr(o, value);
        break;
    }
    case PJ_WIRE_PUT_ENV:
        a = pj_get_str(rq, NULL);
        pj_put_u32(o, (uint32_t)(rq->bad || a == NULL ? PAM_SYSTEM_ERR : pj_env_put(pamh, a)));
        break;
    case PJ_WIRE_GET_ENV_LIST: {
        char **list = pj_env_list(pamh);
        uint32_t n = 0;
        while (list != NULL && list[n] != NULL)
            n++;
        pj_put_u32(o, list != NULL ? PAM_SUCCESS : PAM_BUF_ERR);
        pj_put_u32(o, n);
        for (uint32_t i = 0; i < n; i++)
            pj_put_cstr(o, list[i]);
        pj_env_list_free(list);
        break;
    }
    case PJ_WIRE_CONVERSATION: {
        uint32_t n = pj_get_u32(rq);
        struct pam_message msgs[PAM_MAX_NUM_MSG];
        const struct pam_message *ptrs[PAM_MAX_NUM_MSG];
        struct pam_response *responses = NULL;
        uint32_t got = 0;
        rc = n >= 1 && n <= PAM_MAX_NUM_MSG ? PAM_SUCCESS : PAM_CONV_ERR;
        while (rc == PAM_SUCCESS && got < n) {
            msgs[got].msg_style = (int)pj_get_u32(rq);
            msgs[got].msg = pj_get_str(rq, NULL);
            ptrs[got] = &msgs[got];
            if (rq->bad || msgs[got++].msg == NULL)
                rc = PAM_SYSTEM_ERR;
        }
        if (rc == PAM_SUCCESS)
            rc = pj_converse(pamh, (int)n, ptrs, &responses);
        pj_put_u32(o, (uint32_t)rc);
        for (uint32_t i = 0; rc == PAM_SUCCESS && i < n; i++) {
            pj_put_cstr(o, responses[i].resp);
            pj_put_u32(o, (uint32_t)responses[i].resp_retcode);
        }
        pj_responses_free(responses, (int)n);
        for (uint32_t i = 0; i < got; i++)
            free((char *)msgs[i].msg);
        break;
    }
    case PJ_WIRE_FAIL_DELAY: {
        uint32_t usec = pj_get_u32(rq);
        pj_put_u32(o, (uint32_t)(rq->bad ? PAM_SYSTEM_ERR : pj_fail_delay(pamh, usec)));
        break;
    }
    case PJ_WIRE_GET_USER:
        a = pj_get_str(rq, NULL);
        rc = rq->bad ? PAM_SYSTEM_ERR : pj_get_user_copy(pamh, a, &b);
        pj_put_u32(o, (uint32_t)rc);
        pj_put_cstr(o, rc == PAM_SUCCESS ? b : NULL);
        break;
    case PJ_WIRE_GET_AUTHTOK: {
        int which = (int)pj_get_u32(rq);
        a = pj_get_str(rq, NULL);
        rc = rq->bad ? PAM_SYSTEM_ERR : pj_get_authtok_copy(pamh, which, a, &b);
        pj_put_u32(o, (uint32_t)rc);
        pj_put_cstr(o, rc == PAM_SUCCESS ? b : NULL);
        break;
    }
    case PJ_WIRE_STRERROR: {
        int errnum = (int)pj_get_u32(rq);
        pj_put_u32(o, PAM_SUCCESS);
        pj_put_cstr(o, rq->bad ? NULL : pj_strerror(pamh, errnum));
        break;
    }
    default:
        rq->bad = 1;
    }
    pj_wipe_free(a);
    pj_wipe_free(b);
}

/*
 * A LOG frame (its kind read): the module's record, written as in-process, with pam_syslog(3) on
 * this (the application's) thread, so its ident, pid and facility are the application's and its
 * prefix pam_java(SERVICE:TYPE). Only the level is the service's (services.c). A short one marks lg bad.
 */
void pj_write_log_record(pam_handle_t *pamh, struct pj_in *lg)
{
    int priority = (int)pj_get_u32(lg);
    char *text = pj_get_str(lg, NULL);

    if (lg->bad || text == NULL || lg->pos != lg->len)
        lg->bad = 1;
    else
        pj_log_line(pamh, priority, text);
    pj_wipe_free(text);
}
