/* op.h: the PAM operations, the one type every layer of pam_java.so shares. */
#ifndef PJ_OP_H
#define PJ_OP_H

/* The operations, in the order of org.pamjava.PamOperation; PJ_END is pam_end's end hook. */
enum pj_op {
    PJ_AUTHENTICATE, PJ_SETCRED, PJ_ACCT_MGMT, PJ_OPEN_SESSION, PJ_CLOSE_SESSION,
    PJ_CHAUTHTOK, PJ_END
};

#endif
