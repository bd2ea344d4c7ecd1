/*
 * fuzz_natives.c: the JNI natives (src/natives.c, over src/services.c), which carry text between libpam's C strings and
 * Java's byte[] (Java decodes it strictly; see LibPamHandle). The input is a program of native calls
 * with their bytes: items, xauth data, environment, conversation, user, strerror, log, on a real
 * libpam handle, and the NSS lookups (src/nss.c) on this machine's users and groups, with any
 * buffer size and out-array lengths. The JNIEnv is a small one of this file's that checks what a JVM would: array
 * bounds, and that no call but the few JNI allows follows a pending OutOfMemoryError (which the
 * input may make any allocation raise). Item and xauth values set must read back the same.
 */
#define pam_syslog fuzz_pam_syslog
#include "../src/natives.c"
#include "../src/nss.c"
#include "../src/services.c"
#include "harness.h"

/* A Java object of this JNIEnv: a byte[], int[], Object[] (of byte[] or byte[][]), or a class. */
struct fobj {
    int kind;               /* 'B', 'I', 'L', 'C' */
    jsize len;
    jbyte *bytes;
    jint *ints;
    struct fobj **elements;
    int ints_out;           /* GetIntArrayElements not yet released */
    struct fobj *next;      /* every object of this input, freed at its end */
};

static struct fobj *objects;
/* Local references a native made and did not delete (counted inside IN_NATIVE only). */
static int in_native, live_refs;
static int pending;         /* an OutOfMemoryError is pending */
static int fail_countdown;  /* the allocation that raises it: 1 = the next; 0 = none */

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_natives: %s\n", what);
    abort();
}

static struct fobj *obj(jobject o, int kind)
{
    if (o == NULL)
        bug("NULL where the JVM would throw NullPointerException");
    struct fobj *f = (struct fobj *)o;
    if (f->kind != kind)
        bug("an object of the wrong type");
    return f;
}

static void no_pending(void)
{
    if (pending)
        bug("a JNI call with an exception pending");
}

static struct fobj *new_obj(int kind, jsize len)
{
    no_pending();
    if (fail_countdown > 0 && --fail_countdown == 0) {
        pending = 1;
        return NULL;
    }
    struct fobj *f = calloc(1, sizeof(*f));
    if (f == NULL)
        abort();
    f->kind = kind;
    f->len = len;
    if (kind == 'B')
        f->bytes = calloc((size_t)len + 1, 1);
    if (kind == 'I')
        f->ints = calloc((size_t)len + 1, sizeof(jint));
    if (kind == 'L')
        f->elements = calloc((size_t)len + 1, sizeof(*f->elements));
    f->next = objects;
    objects = f;
    live_refs += in_native;
    return f;
}

static void check_range(struct fobj *f, jsize start, jsize len)
{
    if (start < 0 || len < 0 || start > f->len || len > f->len - start)
        bug("an array region out of bounds");
}

static jbyteArray JNICALL NewByteArray(JNIEnv *e, jsize len) { (void)e; return (jbyteArray)new_obj('B', len); }
static jobjectArray JNICALL NewObjectArray(JNIEnv *e, jsize len, jclass c, jobject init)
{
    (void)e; (void)c; (void)init;
    return (jobjectArray)new_obj('L', len);
}
static jclass JNICALL FindClass(JNIEnv *e, const char *name) { (void)e; (void)name; return (jclass)new_obj('C', 0); }

static void JNICALL SetByteArrayRegion(JNIEnv *e, jbyteArray a, jsize start, jsize len, const jbyte *buf)
{
    (void)e;
    no_pending();
    struct fobj *f = obj(a, 'B');
    check_range(f, start, len);
    memcpy(f->bytes + start, buf, (size_t)len);
}

static void JNICALL GetByteArrayRegion(JNIEnv *e, jbyteArray a, jsize start, jsize len, jbyte *buf)
{
    (void)e;
    no_pending();
    struct fobj *f = obj(a, 'B');
    check_range(f, start, len);
    memcpy(buf, f->bytes + start, (size_t)len);
}

static jsize JNICALL GetArrayLength(JNIEnv *e, jarray a)
{
    (void)e;
    no_pending();
    if (a == NULL)
        bug("GetArrayLength(NULL)");
    return ((struct fobj *)a)->len;
}

static void JNICALL SetObjectArrayElement(JNIEnv *e, jobjectArray a, jsize i, jobject v)
{
    (void)e;
    no_pending();
    struct fobj *f = obj(a, 'L');
    check_range(f, i, 1);
    struct fobj *value = (struct fobj *)v;    /* a byte[], or a byte[][] (gr_mem) in a byte[][][] */
    if (value != NULL && value->kind != 'B' && value->kind != 'L')
        bug("an array element of the wrong type");
    f->elements[i] = value;
}

static jobject JNICALL GetObjectArrayElement(JNIEnv *e, jobjectArray a, jsize i)
{
    (void)e;
    no_pending();
    struct fobj *f = obj(a, 'L');
    check_range(f, i, 1);
    live_refs += in_native && f->elements[i] != NULL;
    return (jobject)f->elements[i];
}

static jint *JNICALL GetIntArrayElements(JNIEnv *e, jintArray a, jboolean *copy)
{
    (void)e;
    (void)copy;
    no_pending();
    struct fobj *f = obj(a, 'I');
    f->ints_out++;
    return f->ints;
}

static void JNICALL ReleaseIntArrayElements(JNIEnv *e, jintArray a, jint *p, jint mode)
{
    (void)e;
    (void)mode;
    struct fobj *f = obj(a, 'I');       /* allowed with an exception pending */
    if (p != f->ints || f->ints_out-- <= 0)
        bug("ReleaseIntArrayElements without its Get");
}

static void JNICALL SetIntArrayRegion(JNIEnv *e, jintArray a, jsize start, jsize len, const jint *buf)
{
    (void)e;
    no_pending();
    struct fobj *f = obj(a, 'I');
    check_range(f, start, len);
    memcpy(f->ints + start, buf, (size_t)len * sizeof(jint));
}

static void JNICALL DeleteLocalRef(JNIEnv *e, jobject o) { (void)e; live_refs -= in_native && o != NULL; }
static void JNICALL ExceptionClear(JNIEnv *e) { (void)e; pending = 0; }

static const struct JNINativeInterface_ functions = {
    .NewByteArray = NewByteArray, .NewObjectArray = NewObjectArray, .FindClass = FindClass,
    .SetByteArrayRegion = SetByteArrayRegion, .GetByteArrayRegion = GetByteArrayRegion,
    .GetArrayLength = GetArrayLength, .SetObjectArrayElement = SetObjectArrayElement,
    .GetObjectArrayElement = GetObjectArrayElement, .GetIntArrayElements = GetIntArrayElements,
    .ReleaseIntArrayElements = ReleaseIntArrayElements, .SetIntArrayRegion = SetIntArrayRegion,
    .DeleteLocalRef = DeleteLocalRef, .ExceptionClear = ExceptionClear,
};
static const struct JNINativeInterface_ *functions_ptr = &functions;
static JNIEnv *env = (JNIEnv *)&functions_ptr;

/* The program being run. */
struct input {
    const uint8_t *p, *end;
};

static unsigned next_u8(struct input *in) { return in->p < in->end ? *in->p++ : 0; }

static jint next_int(struct input *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | next_u8(in);
    return (jint)v;
}

/* A byte[] of the input (length byte, 255: null), made outside any native (no failure injected). */
static jbyteArray next_bytes(struct input *in)
{
    unsigned len = next_u8(in);
    if (len == 255)
        return NULL;
    if ((size_t)(in->end - in->p) < len)
        len = (unsigned)(in->end - in->p);
    struct fobj *f = new_obj('B', (jsize)len);
    memcpy(f->bytes, in->p, len);
    in->p += len;
    return (jbyteArray)f;
}

static jobjectArray out_array(jsize n) { return (jobjectArray)new_obj('L', n); }

static const int string_items[] = { PAM_SERVICE, PAM_USER, PAM_TTY, PAM_RHOST, PAM_AUTHTOK, PAM_OLDAUTHTOK,
                                    PAM_RUSER, PAM_USER_PROMPT, PAM_XDISPLAY, PAM_AUTHTOK_TYPE };

/* Mostly a string item; one byte in eight names any item number, which must be refused. */
static int item_of(unsigned byte)
{
    return byte < 224 ? string_items[byte % 10] : (int)(byte % 16);
}

static int same(struct fobj *a, struct fobj *b)
{
    return a != NULL && b != NULL && a->len == b->len && memcmp(a->bytes, b->bytes, (size_t)a->len) == 0;
}

/* Runs one native with the failures the op byte asks for (inputs and checks run without them). */
static int inject_countdown, inject_enter;
#define IN_NATIVE(call) (fail_countdown = inject_countdown, fuzz_enter_fails = inject_enter, in_native = 1, live_refs = 0, \
                      native_result = (int)(intptr_t)(call), fail_countdown = 0, fuzz_enter_fails = 0, in_native = 0, \
                      native_result)
static int native_result;

/*
 * Op numbers (low 6 bits) from NSS_OPS up are the NSS natives (below them, op % 13 as before, so
 * the older seeds keep their meaning). A name, a buffer size (-64 to 16256: below 1 is refused,
 * small ones give ERANGE), out-arrays of the input's lengths (too short ones are refused).
 */
#define NSS_OPS 48

static jint next_size(struct input *in) { return (jint)next_u8(in) * 64 - 64; }

static void nss_step(struct input *in, unsigned which)
{
    jbyteArray name = NULL;
    int rc = 0;
    which %= 6;
    if (which == 0 || which == 2 || which == 4) {
        if ((name = next_bytes(in)) == NULL)
            return;     /* Java checks the name first: never null */
    }
    jint id = which == 1 || which == 3 ? next_int(in) : 0;
    jint size = which < 4 ? next_size(in) : 0;
    struct fobj *fields = new_obj('L', (jsize)(next_u8(in) % 6));
    struct fobj *ids = new_obj('I', (jsize)(next_u8(in) % 3));
    struct fobj *members = new_obj('L', (jsize)(next_u8(in) % 2));
    switch (which) {
    case 0:
        rc = IN_NATIVE(nss_getpwnam(env, NULL, name, size, (jobjectArray)fields, (jintArray)ids));
        break;
    case 1:
        rc = IN_NATIVE(nss_getpwuid(env, NULL, id, size, (jobjectArray)fields, (jintArray)ids));
        break;
    case 2:
        rc = IN_NATIVE(nss_getgrnam(env, NULL, name, size, (jobjectArray)fields, (jintArray)ids, (jobjectArray)members));
        break;
    case 3:
        rc = IN_NATIVE(nss_getgrgid(env, NULL, id, size, (jobjectArray)fields, (jintArray)ids, (jobjectArray)members));
        break;
    case 4: {
        struct fobj *groups = new_obj('I', (jsize)(next_u8(in) % 80));
        rc = IN_NATIVE(nss_getgrouplist(env, NULL, name, next_int(in), (jintArray)groups, (jintArray)ids));
        if (rc > groups->len && !pending)
            bug("getgrouplist reported more ids than fit");
        break;
    }
    case 5:
        IN_NATIVE(nss_strerror(env, NULL, next_int(in)));
        break;
    }
    /*
     * Every local reference deleted (a strerror keeps the one it returns): a JVM guarantees a
     * native only 16, and gr_mem may have 20000 members.
     */
    if (live_refs > (which == 5))
        bug("an NSS native kept local references");
    /* An entry found was copied whole: its name (every source gives one) and, for a group, its member list. */
    if (rc == 0 && which < 4 && !pending && (fields->elements[0] == NULL || (which >= 2 && members->elements[0] == NULL)))
        bug("an NSS entry was reported found but not copied");
}

static void step(jlong pamh, struct input *in)
{
    unsigned op = next_u8(in);
    int rc;
    inject_countdown = (op & 0x80) ? (int)(next_u8(in) % 4) + 1 : 0;
    inject_enter = (op & 0x40) != 0;
    if ((op & 0x3f) >= NSS_OPS) {
        nss_step(in, (op & 0x3f) - NSS_OPS);
        pending = 0;
        return;
    }
    switch (op % 13) {
    case 0: {
        jobjectArray out = out_array(1);
        int item = item_of(next_u8(in));
        rc = IN_NATIVE(get_item(env, NULL, pamh, item, out));
        if (!pj_string_item(item) && rc != PAM_BAD_ITEM && !inject_enter)
            bug("a native read an item that is not a string");
        break;
    }
    case 1: {
        int item = item_of(next_u8(in));
        struct fobj *value = (struct fobj *)next_bytes(in);
        rc = IN_NATIVE(set_item(env, NULL, pamh, item, (jbyteArray)value));
        if (!pj_string_item(item) && rc != PAM_BAD_ITEM && !inject_enter)
            bug("a native set an item that is not a string");
        if (rc == PAM_SUCCESS && value != NULL && memchr(value->bytes, 0, (size_t)value->len) == NULL
            && item != PAM_SERVICE && !pending) {
            jobjectArray out = out_array(1);
            if (get_item(env, NULL, pamh, item, out) != PAM_SUCCESS || !same(value, ((struct fobj *)out)->elements[0]))
                bug("an item read back differs from what was set");
        }
        break;
    }
    case 2: {
        jobjectArray out = out_array(2);
        IN_NATIVE(get_xauth(env, NULL, pamh, out));
        break;
    }
    case 3: {
        struct fobj *name = (struct fobj *)next_bytes(in), *data = (struct fobj *)next_bytes(in);
        if (name != NULL && data == NULL)
            data = new_obj('B', 0);     /* the Java side sends data with every name */
        /* libpam (1.5.2) frees the xauth name and data only when their length is not 0: an empty
         * one leaks its copy on every set. That is libpam's; leave it out, as it would hide others. */
        if (name != NULL && (name->len == 0 || data->len == 0))
            break;
        rc = IN_NATIVE(set_xauth(env, NULL, pamh, (jbyteArray)name, (jbyteArray)data));
        if (rc == PAM_SUCCESS && name != NULL && !pending) {
            struct fobj *out = (struct fobj *)out_array(2);
            if (get_xauth(env, NULL, pamh, (jobjectArray)out) != PAM_SUCCESS
                || !same(name, out->elements[0]) || !same(data, out->elements[1]))
                bug("xauth data read back differs from what was set");
        }
        break;
    }
    case 4: {
        jbyteArray name = next_bytes(in);
        if (name != NULL)
        {
            jobjectArray out = out_array(1);
            IN_NATIVE(get_env(env, NULL, pamh, name, out));
        }
        break;
    }
    case 5: {
        jbyteArray nv = next_bytes(in);
        if (nv != NULL)
            IN_NATIVE(put_env(env, NULL, pamh, nv));
        break;
    }
    case 6:
        IN_NATIVE(get_env_list(env, NULL, pamh));
        break;
    case 7: {
        jsize n = (jsize)(next_u8(in) % (PAM_MAX_NUM_MSG + 2));
        struct fobj *styles = new_obj('I', n), *texts = new_obj('L', n);
        for (jsize i = 0; i < n; i++) {
            styles->ints[i] = (jint)(next_u8(in) % 5);
            texts->elements[i] = (struct fobj *)next_bytes(in);
        }
        jobjectArray replies = out_array(n);
        jintArray codes = (jintArray)new_obj('I', n);
        IN_NATIVE(conversation(env, NULL, pamh, (jintArray)styles, (jobjectArray)texts, replies, codes));
        if (styles->ints_out != 0)
            bug("GetIntArrayElements without its Release");
        break;
    }
    case 8:
        IN_NATIVE(fail_delay(env, NULL, pamh, next_int(in)));
        break;
    case 9:
    {
        jbyteArray prompt = next_bytes(in);
        jobjectArray out = out_array(1);
        IN_NATIVE(get_user(env, NULL, pamh, prompt, out));
    }
        break;
    case 10:
        IN_NATIVE(str_error(env, NULL, pamh, next_int(in)));
        break;
    case 11: {
        jbyteArray text = next_bytes(in);
        if (text != NULL)
            IN_NATIVE((log_line(env, NULL, pamh, next_int(in), text), 0));
        break;
    }
    case 12: {
        int which = (int)(next_u8(in) % 6) - 1;   /* -1 and 4 name no pam_get_authtok: refused */
        jbyteArray prompt = next_bytes(in);
        jobjectArray out = out_array(1);
        rc = IN_NATIVE(get_authtok(env, NULL, pamh, which, prompt, out));
        if ((which < 0 || which > PJ_AUTHTOK_VERIFY) && rc != PAM_SYSTEM_ERR && rc != PAM_BUF_ERR && rc != PAM_ABORT)
            bug("a native ran a pam_get_authtok that does not exist");
        break;
    }
    }
    pending = 0;            /* Java would throw it; the next call starts clean */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, data + size };
    pam_handle_t *pamh = fuzz_pam_start();

    for (int steps = 0; in.p < in.end && steps < 64; steps++)
        step((jlong)(intptr_t)pamh, &in);
    pam_end(pamh, PAM_SUCCESS);
    while (objects != NULL) {
        struct fobj *f = objects;
        objects = f->next;
        free(f->bytes);
        free(f->ints);
        free(f->elements);
        free(f);
    }
    return 0;
}
