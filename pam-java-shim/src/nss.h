/* nss.h: the JNI natives of the C library's user and group lookups (PamHandle.nss() in process). */
#ifndef PJ_NSS_H
#define PJ_NSS_H

#include <jni.h>

/* Registers them on the natives class (jvm_options.h): 0, or -1 with nothing pending. */
int pj_register_nss_natives(JNIEnv *env, jclass natives_class);

#endif
