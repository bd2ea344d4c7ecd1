/*
 * wire.h: the resident service's wire format, the C side (docs/resident-protocol.md is the spec;
 * the Java side is the service's ResidentProtocol). Every constant both sides must agree on is a
 * PJ_WIRE_ #define here, in decimal: ResidentProtocolConstantsTest reads them from this file and
 * fails on any difference from the Java side's.
 */
#ifndef PJ_WIRE_H
#define PJ_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* The protocol this pam_java.so speaks: HELLO carries it both ways (version 1 had no field).
 * Version 3 added the LOG frame (version 2's log was a request, with a reply); version 4 the
 * GET_AUTHTOK request and the process key in the client's HELLO. */
#define PJ_WIRE_VERSION 4

/* Frame kinds: a frame is length:u32 (of what follows), kind:u8, the kind's fields. */
#define PJ_WIRE_CALL 1
#define PJ_WIRE_REPLY 2
#define PJ_WIRE_REQUEST 3
#define PJ_WIRE_RESULT 4
#define PJ_WIRE_HELLO 5
/* pam-java status's request and the service's answer (its statistics); pam_java.so never sends it. */
#define PJ_WIRE_STATUS 7
/* The service, during a call: one record of the call's log, answered by nothing (priority:u32 text:bytes). */
#define PJ_WIRE_LOG 6

/* The op of pam_end's end hook in a CALL (ops 0-5 are enum pj_op's, PJ_END too). */
#define PJ_WIRE_OP_END 6

/* Request kinds (REQUEST what:u8), one per libpam service. */
#define PJ_WIRE_GET_ITEM 1
#define PJ_WIRE_SET_ITEM 2
#define PJ_WIRE_GET_XAUTH 3
#define PJ_WIRE_SET_XAUTH 4
#define PJ_WIRE_GET_ENV 5
#define PJ_WIRE_PUT_ENV 6
#define PJ_WIRE_GET_ENV_LIST 7
#define PJ_WIRE_CONVERSATION 8
#define PJ_WIRE_FAIL_DELAY 9
#define PJ_WIRE_GET_USER 10
#define PJ_WIRE_STRERROR 11
/* (12 was version 1's LOG request.) pam_get_authtok(3) and its siblings: which:u32 prompt:str,
 * answered by code:u32 token:str. which is services.h's enum pj_authtok: */
#define PJ_WIRE_GET_AUTHTOK 13
#define PJ_WIRE_AUTHTOK 0
#define PJ_WIRE_OLDAUTHTOK 1
#define PJ_WIRE_AUTHTOK_NOVERIFY 2
#define PJ_WIRE_AUTHTOK_VERIFY 3

/* No frame's length (its kind and fields) is bigger: 1 MiB. */
#define PJ_WIRE_MAX_FRAME 1048576
/* A string's length that means null. */
#define PJ_WIRE_NULL_LENGTH 4294967295u
/* Once a frame's first byte has come, its rest must come within this (both sides), ms. */
#define PJ_WIRE_STALL_MS 10000
/* A connection no handle uses is closed by the service after this, ms; the client keeps one half as long. */
#define PJ_WIRE_IDLE_MS 60000

/* A frame being built: a failed allocation or an oversized frame marks it failed. Wiped when freed. */
struct pj_out {
    unsigned char *p;
    size_t len, cap;
    int failed;
};

void pj_out_start(struct pj_out *o, unsigned kind);
void pj_put_u8(struct pj_out *o, unsigned v);
void pj_put_u32(struct pj_out *o, uint32_t v);
void pj_put_u64(struct pj_out *o, uint64_t v);
void pj_put_str(struct pj_out *o, const char *s, size_t len);     /* s NULL: a null string */
void pj_put_cstr(struct pj_out *o, const char *s);
void pj_out_free(struct pj_out *o);

/* A frame read whole (its kind first); a short or malformed one marks it bad. Wiped when freed. */
struct pj_in {
    unsigned char *p;
    size_t len, pos;
    int bad;
};

unsigned pj_get_u8(struct pj_in *in);
uint32_t pj_get_u32(struct pj_in *in);
/* A NUL-terminated malloc'd copy, or NULL for a null string (or on failure: check in->bad). */
char *pj_get_str(struct pj_in *in, size_t *len_out);
void pj_in_free(struct pj_in *in);

/*
 * What a wait may take. left_ns < 0: no limit, and then alive must be set: after liveness_ns
 * without a byte from the service, alive(alive_arg) says whether it still runs (0 ends the wait).
 * no_spin: sleep at once, whatever the back-off says (spin.h): for an answer known to be slow.
 */
struct pj_budget {
    long left_ns;
    long liveness_ns;
    int (*alive)(void *alive_arg);
    void *alive_arg;
    int no_spin;
};

/* The waits' results: the connection failed or closed; the budget ran out; the service is not
 * alive; it stopped inside a frame. */
enum { PJ_WAIT_FAILED = -1, PJ_WAIT_TIMED_OUT = -2, PJ_WAIT_SERVICE_HUNG = -3, PJ_WAIT_FRAME_STALLED = -4 };

/* Sends the frame whole: 0, or a PJ_WAIT_ code. */
int pj_send_frame(int fd, struct pj_out *o, struct pj_budget *b);
/* The next frame whole into in (pj_in_free it): 0, or a PJ_WAIT_ code. Bytes past it are a
 * violation (PJ_WAIT_FAILED): the service sends nothing unanswered but LOG frames. */
int pj_receive_frame(int fd, struct pj_in *in, struct pj_budget *b);
/*
 * This thread has a new connection to the service: its waits start at the longest back-off
 * (spin.h) when no CPU is free now, else where the thread's last waits left it.
 */
void pj_wire_connected(void);

/* Bytes read past a frame, the start of the next: LOG frames come without waiting for an answer,
 * so several may arrive at once, with the frame after them. Wiped when a call ends. */
struct pj_carry {
    unsigned char p[512];
    size_t len;
};

/* pj_receive_frame, starting with what *c holds and keeping in it what came past the frame. */
int pj_receive_frame_carried(int fd, struct pj_in *in, struct pj_budget *b, struct pj_carry *c);

#endif
