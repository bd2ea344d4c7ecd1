/* nss.c: the JNI natives of getpwnam_r(3), getpwuid_r(3), getgrnam_r(3), getgrgid_r(3), getgrouplist(3). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "nss.h"

/*
 * One attempt per call, with the buffer size Java gives: the runtime's NssLookups grows it on
 * ERANGE, caps it, and decodes the bytes, the same Java as the resident service's
 * java.lang.foreign source, so the two cannot differ. Here only the call and the copy: a return is
 * the function's own (0 or an errno), or one of NssSource's codes below. Fields cross as byte[]
 * (null for a NULL pointer); the password fields stay here. No libpam: a lookup needs no PAM call
 * and may come from any thread.
 */
#define NO_ENTRY (-1)       /* 0 and a NULL result */
#define OUT_OF_MEMORY (-2)  /* malloc failed, or a Java array: then an OutOfMemoryError is pending */
#define BAD_ARGUMENT (-3)   /* an out-array too short, a size below 1, a NUL in a name */
#define PASSWD_FIELDS 4     /* pw_name, pw_gecos, pw_dir, pw_shell */

_Static_assert(sizeof(gid_t) == sizeof(jint) && sizeof(uid_t) == sizeof(jint), "ids are 32-bit");

static int long_enough(JNIEnv *env, jarray a, jsize n)
{
    return a != NULL && (*env)->GetArrayLength(env, a) >= n;
}

/*
 * Puts a copy of s into out[index] (nothing for NULL), holding one local reference at a time. 0
 * when a Java array could not be made: an OutOfMemoryError is pending, and nothing but returning
 * (or DeleteLocalRef) may follow.
 */
static int store(JNIEnv *env, jobjectArray out, jsize index, const char *s)
{
    if (s == NULL)
        return 1;
    size_t len = strnlen(s, INT32_MAX);
    jbyteArray a = (*env)->NewByteArray(env, (jsize)len);
    if (a == NULL)
        return 0;
    (*env)->SetByteArrayRegion(env, a, 0, (jsize)len, (const jbyte *)s);
    (*env)->SetObjectArrayElement(env, out, index, a);
    (*env)->DeleteLocalRef(env, a);
    return 1;
}

/* The name as a malloc'd C string, or NULL with *rc BAD_ARGUMENT (a NUL inside) or OUT_OF_MEMORY. */
static char *c_name(JNIEnv *env, jbyteArray name, int *rc)
{
    jsize len = (*env)->GetArrayLength(env, name);
    char *s = malloc((size_t)len + 1);
    if (s == NULL) {
        *rc = OUT_OF_MEMORY;
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, name, 0, len, (jbyte *)s);
    s[len] = '\0';
    if (memchr(s, '\0', (size_t)len) != NULL) {
        free(s);
        *rc = BAD_ARGUMENT;
        return NULL;
    }
    return s;
}

static jint passwd_out(JNIEnv *env, int rc, const struct passwd *pw, jobjectArray fields, jintArray ids)
{
    if (rc != 0)
        return rc;
    if (pw == NULL)
        return NO_ENTRY;
    if (!store(env, fields, 0, pw->pw_name) || !store(env, fields, 1, pw->pw_gecos)
        || !store(env, fields, 2, pw->pw_dir) || !store(env, fields, 3, pw->pw_shell))
        return OUT_OF_MEMORY;
    jint v[2] = { (jint)pw->pw_uid, (jint)pw->pw_gid };
    (*env)->SetIntArrayRegion(env, ids, 0, 2, v);
    return 0;
}

/* gr_mem as a byte[][]: one array for the list, one for the member being copied, never more. */
static jint group_out(JNIEnv *env, int rc, const struct group *gr, jobjectArray fields, jintArray ids,
                      jobjectArray members)
{
    if (rc != 0)
        return rc;
    if (gr == NULL)
        return NO_ENTRY;
    jsize n = 0;
    while (gr->gr_mem != NULL && gr->gr_mem[n] != NULL)
        if (++n == INT32_MAX)
            return E2BIG;
    jclass bytes_class = (*env)->FindClass(env, "[B");
    if (bytes_class == NULL)
        return OUT_OF_MEMORY;
    jobjectArray list = (*env)->NewObjectArray(env, n, bytes_class, NULL);
    (*env)->DeleteLocalRef(env, bytes_class);
    if (list == NULL)
        return OUT_OF_MEMORY;
    int ok = 1;
    for (jsize i = 0; ok && i < n; i++)
        ok = store(env, list, i, gr->gr_mem[i]);
    if (ok && (ok = store(env, fields, 0, gr->gr_name))) {
        (*env)->SetObjectArrayElement(env, members, 0, list);
        jint gid = (jint)gr->gr_gid;
        (*env)->SetIntArrayRegion(env, ids, 0, 1, &gid);
    }
    (*env)->DeleteLocalRef(env, list);
    return ok ? 0 : OUT_OF_MEMORY;
}

/* Checks and allocations both *_r natives share: the caller frees *name (may be NULL) and *buf. */
static int prepare(JNIEnv *env, jbyteArray name, int by_name, jint size, char **c, char **buf)
{
    int rc = 0;
    *c = NULL;
    *buf = NULL;
    if (size < 1 || (by_name && name == NULL))
        return BAD_ARGUMENT;
    if (by_name && (*c = c_name(env, name, &rc)) == NULL)
        return rc;
    if ((*buf = malloc((size_t)size)) == NULL)
        return OUT_OF_MEMORY;
    return 0;
}

static jint passwd_lookup(JNIEnv *env, jbyteArray name, int by_name, jint uid, jint size,
                          jobjectArray fields, jintArray ids)
{
    struct passwd pw, *result = NULL;
    char *c, *buf;
    if (!long_enough(env, fields, PASSWD_FIELDS) || !long_enough(env, ids, 2))
        return BAD_ARGUMENT;
    int rc = prepare(env, name, by_name, size, &c, &buf);
    if (rc == 0) {
        rc = by_name ? getpwnam_r(c, &pw, buf, (size_t)size, &result)
                     : getpwuid_r((uid_t)uid, &pw, buf, (size_t)size, &result);
        rc = passwd_out(env, rc, result, fields, ids);
    }
    free(buf);
    free(c);
    return rc;
}

static jint group_lookup(JNIEnv *env, jbyteArray name, int by_name, jint gid, jint size,
                         jobjectArray fields, jintArray ids, jobjectArray members)
{
    struct group gr, *result = NULL;
    char *c, *buf;
    if (!long_enough(env, fields, 1) || !long_enough(env, ids, 1) || !long_enough(env, members, 1))
        return BAD_ARGUMENT;
    int rc = prepare(env, name, by_name, size, &c, &buf);
    if (rc == 0) {
        rc = by_name ? getgrnam_r(c, &gr, buf, (size_t)size, &result)
                     : getgrgid_r((gid_t)gid, &gr, buf, (size_t)size, &result);
        rc = group_out(env, rc, result, fields, ids, members);
    }
    free(buf);
    free(c);
    return rc;
}

static jint JNICALL nss_getpwnam(JNIEnv *env, jclass cls, jbyteArray name, jint size, jobjectArray fields, jintArray ids)
{
    (void)cls;
    return passwd_lookup(env, name, 1, 0, size, fields, ids);
}

static jint JNICALL nss_getpwuid(JNIEnv *env, jclass cls, jint uid, jint size, jobjectArray fields, jintArray ids)
{
    (void)cls;
    return passwd_lookup(env, NULL, 0, uid, size, fields, ids);
}

static jint JNICALL nss_getgrnam(JNIEnv *env, jclass cls, jbyteArray name, jint size, jobjectArray fields,
                                 jintArray ids, jobjectArray members)
{
    (void)cls;
    return group_lookup(env, name, 1, 0, size, fields, ids, members);
}

static jint JNICALL nss_getgrgid(JNIEnv *env, jclass cls, jint gid, jint size, jobjectArray fields,
                                 jintArray ids, jobjectArray members)
{
    (void)cls;
    return group_lookup(env, NULL, 0, gid, size, fields, ids, members);
}

/* getgrouplist(3)'s return (-1: too small), count[0] = the count it reported; or below -1. */
static jint JNICALL nss_getgrouplist(JNIEnv *env, jclass cls, jbyteArray user, jint primary, jintArray groups,
                                     jintArray count)
{
    (void)cls;
    if (user == NULL || !long_enough(env, groups, 1) || !long_enough(env, count, 1))
        return BAD_ARGUMENT;
    int rc = 0;
    int capacity = (*env)->GetArrayLength(env, groups);
    char *c = c_name(env, user, &rc);
    gid_t *ids = c != NULL ? calloc((size_t)capacity, sizeof(gid_t)) : NULL;
    if (ids != NULL) {
        int n = capacity;
        rc = getgrouplist(c, (gid_t)primary, ids, &n);
        if (rc > 0)
            (*env)->SetIntArrayRegion(env, groups, 0, rc < capacity ? rc : capacity, (const jint *)ids);
        (*env)->SetIntArrayRegion(env, count, 0, 1, &n);
    } else if (c != NULL) {
        rc = OUT_OF_MEMORY;
    }
    free(ids);
    free(c);
    return rc;
}

static jbyteArray JNICALL nss_strerror(JNIEnv *env, jclass cls, jint errnum)
{
    char buf[256];
    (void)cls;
    const char *s = strerror_r(errnum, buf, sizeof(buf));   /* the GNU one: may return its own string */
    size_t len = strlen(s);
    jbyteArray a = (*env)->NewByteArray(env, (jsize)len);
    if (a != NULL)
        (*env)->SetByteArrayRegion(env, a, 0, (jsize)len, (const jbyte *)s);
    return a;
}

#define NATIVE(name, sig, fn) { (char *)(name), (char *)(sig), (void *)(fn) }
static const JNINativeMethod nss_natives[] = {
    NATIVE("getpwnam", "([BI[[B[I)I", nss_getpwnam),
    NATIVE("getpwuid", "(II[[B[I)I", nss_getpwuid),
    NATIVE("getgrnam", "([BI[[B[I[[[B)I", nss_getgrnam),
    NATIVE("getgrgid", "(II[[B[I[[[B)I", nss_getgrgid),
    NATIVE("getgrouplist", "([BI[I[I)I", nss_getgrouplist),
    NATIVE("nssStrerror", "(I)[B", nss_strerror),
};

int pj_register_nss_natives(JNIEnv *env, jclass natives_class)
{
    jint n = (jint)(sizeof(nss_natives) / sizeof(nss_natives[0]));
    if ((*env)->RegisterNatives(env, natives_class, nss_natives, n) != JNI_OK) {
        (*env)->ExceptionClear(env);
        return -1;
    }
    return 0;
}
