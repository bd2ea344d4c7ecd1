/* natives.c: the JNI natives of the runtime's natives class (jvm_options.h), one per libpam service (services.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <security/pam_appl.h>
#include <security/pam_ext.h>

#include "log.h"
#include "natives.h"
#include "nss.h"
#include "services.h"
#include "workers.h"

/*
 * Text crosses as byte[] (decoded strictly in Java, so bad bytes become a clear error, not
 * garbled modified-UTF-8). Results come back through small out-arrays and a PAM code; Java
 * turns a failing code into PamException. Every native first checks it runs inside the PAM call
 * that owns pamh: libpam is not thread-safe, and a handle outlives nothing.
 */
#define NOT_IN_CALL (-1)

static struct pj_call *owning_call(jlong pamh)
{
    struct pj_call *call = pj_current_call();
    if (call == NULL || (jlong)(intptr_t)call->pamh != pamh)
        return NULL;
    return call;
}

/* The call owning pamh, inside a libpam window: PAM_SUCCESS, NOT_IN_CALL or PAM_ABORT (gone). */
static int enter(jlong pamh, struct pj_call **call)
{
    if ((*call = owning_call(pamh)) == NULL)
        return NOT_IN_CALL;
    return pj_enter_libpam(*call) == 0 ? PAM_SUCCESS : PAM_ABORT;
}

static pam_handle_t *handle_of(jlong pamh)
{
    return (pam_handle_t *)(intptr_t)pamh;
}

static jbyteArray new_bytes(JNIEnv *env, const char *s, size_t len)
{
    jbyteArray a = (*env)->NewByteArray(env, (jsize)len);
    if (a != NULL)
        (*env)->SetByteArrayRegion(env, a, 0, (jsize)len, (const jbyte *)s);
    return a;
}

/*
 * Puts a copy of s into out[index]. On failure an OutOfMemoryError is pending and no other JNI
 * call may follow but returning: the caller returns PAM_BUF_ERR (Java sees the error).
 */
static int store_bytes(JNIEnv *env, jobjectArray out, jsize index, const char *s, size_t len)
{
    jbyteArray a = new_bytes(env, s, len);
    if (a == NULL)
        return 0;
    (*env)->SetObjectArrayElement(env, out, index, a);
    (*env)->DeleteLocalRef(env, a);
    return 1;
}

/* A NUL-terminated malloc'd copy of a Java byte[] (the caller wipes and frees it), or NULL. */
static char *c_string(JNIEnv *env, jbyteArray bytes, size_t *len_out)
{
    jsize len = (*env)->GetArrayLength(env, bytes);
    char *s = malloc((size_t)len + 1);
    if (s == NULL) {
        pj_log(NULL, LOG_ERR, "out of memory copying %d bytes from Java for a libpam call", (int)len);
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, bytes, 0, len, (jbyte *)s);
    s[len] = '\0';
    if (len_out != NULL)
        *len_out = (size_t)len;
    return s;
}

#define wipe_free pj_wipe_free

static jint JNICALL get_item(JNIEnv *env, jclass cls, jlong pamh, jint item, jobjectArray out)
{
    struct pj_call *call;
    const char *value = NULL;
    int rc = enter(pamh, &call);
    (void)cls;

    if (rc != PAM_SUCCESS)
        return rc;
    rc = pj_item_get(handle_of(pamh), item, &value);
    if (rc == PAM_SUCCESS && value != NULL && !store_bytes(env, out, 0, value, strlen(value)))
        rc = PAM_BUF_ERR;
    pj_leave_libpam(call);
    return rc;
}

static jint JNICALL set_item(JNIEnv *env, jclass cls, jlong pamh, jint item, jbyteArray value)
{
    struct pj_call *call = owning_call(pamh);
    char *s = NULL;
    int rc;
    (void)cls;

    if (call == NULL)
        return NOT_IN_CALL;
    if (value != NULL && (s = c_string(env, value, NULL)) == NULL)
        return PAM_BUF_ERR;
    if (pj_enter_libpam(call) != 0) {
        wipe_free(s);
        return PAM_ABORT;
    }
    rc = pj_item_set(handle_of(pamh), item, s);
    pj_leave_libpam(call);
    wipe_free(s);
    return rc;
}

static jint JNICALL get_xauth(JNIEnv *env, jclass cls, jlong pamh, jobjectArray out)
{
    struct pj_call *call;
    const char *name, *data;
    size_t namelen, datalen;
    int rc = enter(pamh, &call);
    (void)cls;

    if (rc != PAM_SUCCESS)
        return rc;
    rc = pj_xauth_get(handle_of(pamh), &name, &namelen, &data, &datalen);
    if (rc == PAM_SUCCESS && name != NULL
        && !(store_bytes(env, out, 0, name, namelen) && store_bytes(env, out, 1, data, datalen)))
        rc = PAM_BUF_ERR;
    pj_leave_libpam(call);
    return rc;
}

static jint JNICALL set_xauth(JNIEnv *env, jclass cls, jlong pamh, jbyteArray name, jbyteArray data)
{
    struct pj_call *call = owning_call(pamh);
    char *x_name = NULL, *x_data = NULL;
    size_t namelen = 0, datalen = 0;
    int rc;
    (void)cls;

    if (call == NULL)
        return NOT_IN_CALL;
    if (name != NULL) {
        x_name = c_string(env, name, &namelen);
        x_data = c_string(env, data, &datalen);
        if (x_name == NULL || x_data == NULL) {
            free(x_name);
            free(x_data);
            return PAM_BUF_ERR;
        }
    }
    if (pj_enter_libpam(call) != 0) {
        rc = PAM_ABORT;
    } else {
        rc = pj_xauth_set(handle_of(pamh), x_name, namelen, x_data, datalen);
        pj_leave_libpam(call);
    }
    if (x_data != NULL)
        explicit_bzero(x_data, datalen);
    free(x_name);
    free(x_data);
    return rc;
}

static jint JNICALL get_env(JNIEnv *env, jclass cls, jlong pamh, jbyteArray name, jobjectArray out)
{
    struct pj_call *call = owning_call(pamh);
    char *key;
    (void)cls;

    if (call == NULL)
        return NOT_IN_CALL;
    if ((key = c_string(env, name, NULL)) == NULL)
        return PAM_BUF_ERR;
    if (pj_enter_libpam(call) != 0) {
        free(key);
        return PAM_ABORT;
    }
    const char *value = pj_env_get(handle_of(pamh), key);
    int rc = value == NULL || store_bytes(env, out, 0, value, strlen(value)) ? PAM_SUCCESS : PAM_BUF_ERR;
    pj_leave_libpam(call);
    free(key);
    return rc;
}

static jint JNICALL put_env(JNIEnv *env, jclass cls, jlong pamh, jbyteArray name_value)
{
    struct pj_call *call = owning_call(pamh);
    char *s;
    int rc;
    (void)cls;

    if (call == NULL)
        return NOT_IN_CALL;
    if ((s = c_string(env, name_value, NULL)) == NULL)
        return PAM_BUF_ERR;
    if (pj_enter_libpam(call) != 0) {
        wipe_free(s);
        return PAM_ABORT;
    }
    rc = pj_env_put(handle_of(pamh), s);
    pj_leave_libpam(call);
    wipe_free(s);
    return rc;
}

static jobjectArray JNICALL get_env_list(JNIEnv *env, jclass cls, jlong pamh)
{
    struct pj_call *call = owning_call(pamh);
    jobjectArray result = NULL;
    char **list;
    jsize n = 0;
    (void)cls;

    if (call == NULL || pj_enter_libpam(call) != 0)
        return NULL;
    list = pj_env_list(handle_of(pamh));
    pj_leave_libpam(call);
    if (list == NULL)
        return NULL;    /* logged */
    while (list[n] != NULL)
        n++;
    jclass bytes_class = (*env)->FindClass(env, "[B");
    if (bytes_class != NULL)
        result = (*env)->NewObjectArray(env, n, bytes_class, NULL);
    for (jsize i = 0; result != NULL && i < n; i++)
        if (!store_bytes(env, result, i, list[i], strlen(list[i])))
            result = NULL;   /* out of memory: the error is pending */
    pj_env_list_free(list);
    return result;
}

struct conversation {
    pam_handle_t *pamh;
    int n;
    const struct pam_message **messages;
    struct pam_response *responses;
    int rc;
};

/* Runs on the application's thread: its conversation function expects that. */
static void converse_on_caller(void *arg)
{
    struct conversation *c = arg;
    c->rc = pj_converse(c->pamh, c->n, c->messages, &c->responses);
}

static jint JNICALL conversation(JNIEnv *env, jclass cls, jlong pamh, jintArray styles,
                                 jobjectArray texts, jobjectArray replies, jintArray ret_codes)
{
    struct pj_call *call = owning_call(pamh);
    struct conversation c = { handle_of(pamh), 0, NULL, NULL, PAM_BUF_ERR };
    struct pam_message *msgs = NULL;
    jint *style_values = NULL;
    (void)cls;

    if (call == NULL)
        return NOT_IN_CALL;
    c.n = (*env)->GetArrayLength(env, styles);
    if (c.n < 1 || c.n > PAM_MAX_NUM_MSG)
        return PAM_CONV_ERR;
    msgs = calloc((size_t)c.n, sizeof(*msgs));
    c.messages = calloc((size_t)c.n, sizeof(*c.messages));
    style_values = (*env)->GetIntArrayElements(env, styles, NULL);
    if (msgs == NULL || c.messages == NULL || style_values == NULL) {
        pj_log(NULL, LOG_ERR, "out of memory preparing %d conversation messages", c.n);
        goto out;
    }
    for (int i = 0; i < c.n; i++) {
        jbyteArray text = (*env)->GetObjectArrayElement(env, texts, i);
        msgs[i].msg_style = style_values[i];
        msgs[i].msg = text != NULL ? c_string(env, text, NULL) : NULL;
        (*env)->DeleteLocalRef(env, text);
        if (msgs[i].msg == NULL)
            goto out;
        c.messages[i] = &msgs[i];
    }
    c.rc = PAM_ABORT;
    if (pj_handback(call, converse_on_caller, &c) != 0)
        goto out;
    if (c.rc == PAM_SUCCESS) {
        jint codes[PAM_MAX_NUM_MSG];
        for (int i = 0; i < c.n; i++) {
            const char *resp = c.responses[i].resp;
            codes[i] = c.responses[i].resp_retcode;
            if (resp != NULL && !store_bytes(env, replies, i, resp, strlen(resp))) {
                c.rc = PAM_BUF_ERR;
                goto out;
            }
        }
        (*env)->SetIntArrayRegion(env, ret_codes, 0, c.n, codes);
    }
out:
    pj_responses_free(c.responses, c.n);
    for (int i = 0; msgs != NULL && i < c.n; i++)
        free((char *)msgs[i].msg);
    free(msgs);
    free(c.messages);
    if (style_values != NULL)
        (*env)->ReleaseIntArrayElements(env, styles, style_values, JNI_ABORT);
    return c.rc;
}

static jint JNICALL fail_delay(JNIEnv *env, jclass cls, jlong pamh, jint usec)
{
    struct pj_call *call;
    int rc = enter(pamh, &call);
    (void)env;
    (void)cls;

    if (rc != PAM_SUCCESS)
        return rc;
    rc = pj_fail_delay(handle_of(pamh), (unsigned int)usec);
    pj_leave_libpam(call);
    return rc;
}

/* pam_get_user(3) and the pam_get_authtok(3) family may call the conversation: they run on the application's thread. */
struct prompted {
    pam_handle_t *pamh;
    int which;        /* enum pj_authtok, or -1 for the user name */
    const char *prompt;
    char *value;      /* a copy (wiped: it may be a password): libpam's string is only safe to read while the caller waits */
    int rc;
};

static void prompted_on_caller(void *arg)
{
    struct prompted *g = arg;
    g->rc = g->which < 0 ? pj_get_user_copy(g->pamh, g->prompt, &g->value)
                         : pj_get_authtok_copy(g->pamh, g->which, g->prompt, &g->value);
}

static jint prompted(JNIEnv *env, jlong pamh, int which, jbyteArray prompt, jobjectArray out)
{
    struct pj_call *call = owning_call(pamh);
    struct prompted g = { handle_of(pamh), which, NULL, NULL, PAM_ABORT };
    char *p = NULL;

    if (call == NULL)
        return NOT_IN_CALL;
    if (prompt != NULL && (p = c_string(env, prompt, NULL)) == NULL)
        return PAM_BUF_ERR;
    g.prompt = p;
    if (pj_handback(call, prompted_on_caller, &g) == 0 && g.rc == PAM_SUCCESS && g.value != NULL
        && !store_bytes(env, out, 0, g.value, strlen(g.value)))
        g.rc = PAM_BUF_ERR;
    wipe_free(g.value);
    free(p);
    return g.rc;
}

static jint JNICALL get_user(JNIEnv *env, jclass cls, jlong pamh, jbyteArray prompt, jobjectArray out)
{
    (void)cls;
    return prompted(env, pamh, -1, prompt, out);
}

static jint JNICALL get_authtok(JNIEnv *env, jclass cls, jlong pamh, jint which, jbyteArray prompt, jobjectArray out)
{
    (void)cls;
    return which < 0 ? PAM_SYSTEM_ERR : prompted(env, pamh, which, prompt, out);
}

static jbyteArray JNICALL str_error(JNIEnv *env, jclass cls, jlong pamh, jint errnum)
{
    (void)cls;
    const char *s = pj_strerror(handle_of(pamh), errnum);
    return s != NULL ? new_bytes(env, s, strlen(s)) : NULL;
}

static void JNICALL log_line(JNIEnv *env, jclass cls, jlong pamh, jint priority, jbyteArray text)
{
    struct pj_call *call = owning_call(pamh);
    char *s = c_string(env, text, NULL);
    (void)cls;

    if (s == NULL)
        return;
    /* pam_syslog only with the handle of the call in progress; otherwise plain syslog. */
    if (call != NULL && pj_enter_libpam(call) == 0) {
        pj_log_line(call->pamh, priority, s);
        pj_leave_libpam(call);
    } else {
        pj_log_line(NULL, priority, s);
    }
    free(s);
}

/* Whether pam_java created the process's JVM (else it is the host's own). */
static int jvm_created_here;

static jboolean JNICALL jvm_initialized(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return jvm_created_here ? JNI_TRUE : JNI_FALSE;
}

/*
 * Zeroes a String's internal array. JNI reaches private fields without java.base being opened,
 * and without the method handles reflection would generate. The field is java.lang.String's
 * "value" (byte[] since JDK 9's compact strings); if a JDK lays Strings out otherwise, nothing
 * is done rather than something wrong.
 */
static jfieldID string_value, string_hash, string_hash_is_zero;

static void JNICALL wipe_string(JNIEnv *env, jclass cls, jstring secret)
{
    (void)cls;
    if (secret == NULL || string_value == NULL)
        return;
    jbyteArray value = (jbyteArray)(*env)->GetObjectField(env, secret, string_value);
    if (value == NULL)
        return;
    jsize len = (*env)->GetArrayLength(env, value);
    jbyte *bytes = (*env)->GetPrimitiveArrayCritical(env, value, NULL);
    if (bytes != NULL) {
        explicit_bzero(bytes, (size_t)len);
        (*env)->ReleasePrimitiveArrayCritical(env, value, bytes, 0);
    }
    (*env)->DeleteLocalRef(env, value);
    /* The cached hash is a function of the password too. */
    if (string_hash != NULL)
        (*env)->SetIntField(env, secret, string_hash, 0);
    if (string_hash_is_zero != NULL)
        (*env)->SetBooleanField(env, secret, string_hash_is_zero, JNI_FALSE);
}

#define NATIVE(name, sig, fn) { (char *)(name), (char *)(sig), (void *)(fn) }
static const JNINativeMethod natives[] = {
    NATIVE("getItem", "(JI[[B)I", get_item),
    NATIVE("setItem", "(JI[B)I", set_item),
    NATIVE("getXauthData", "(J[[B)I", get_xauth),
    NATIVE("setXauthData", "(J[B[B)I", set_xauth),
    NATIVE("getEnv", "(J[B[[B)I", get_env),
    NATIVE("putEnv", "(J[B)I", put_env),
    NATIVE("getEnvList", "(J)[[B", get_env_list),
    NATIVE("conversation", "(J[I[[B[[B[I)I", conversation),
    NATIVE("failDelay", "(JI)I", fail_delay),
    NATIVE("getUser", "(J[B[[B)I", get_user),
    NATIVE("getAuthtok", "(JI[B[[B)I", get_authtok),
    NATIVE("strerror", "(JI)[B", str_error),
    NATIVE("log", "(JI[B)V", log_line),
    NATIVE("jvmInitialized", "()Z", jvm_initialized),
    NATIVE("wipeString", "(Ljava/lang/String;)V", wipe_string),
};

int pj_register_natives(JNIEnv *env, jclass libpam_class, int created_here)
{
    jvm_created_here = created_here;
    jint n = (jint)(sizeof(natives) / sizeof(natives[0]));
    jclass string_class = (*env)->FindClass(env, "java/lang/String");
    string_value = string_class != NULL ? (*env)->GetFieldID(env, string_class, "value", "[B") : NULL;
    (*env)->ExceptionClear(env);
    string_hash = string_class != NULL ? (*env)->GetFieldID(env, string_class, "hash", "I") : NULL;
    (*env)->ExceptionClear(env);
    string_hash_is_zero = string_class != NULL ? (*env)->GetFieldID(env, string_class, "hashIsZero", "Z") : NULL;
    (*env)->ExceptionClear(env);
    if (string_value == NULL) {
        (*env)->ExceptionClear(env);
        pj_log(NULL, LOG_WARNING, "this JDK's String has no byte[] value: passwords are left to the GC");
    }
    if ((*env)->RegisterNatives(env, libpam_class, natives, n) != JNI_OK) {
        (*env)->ExceptionClear(env);
        pj_log(NULL, LOG_ERR, "cannot register the pam_java natives");
        return -1;
    }
    if (pj_register_nss_natives(env, libpam_class) != 0) {
        pj_log(NULL, LOG_ERR, "cannot register the pam_java NSS natives");
        return -1;
    }
    return 0;
}
