/* natives.h: the JNI glue: the natives class's methods, one per libpam service. */
#ifndef PJ_NATIVES_H
#define PJ_NATIVES_H

#include <jni.h>

/* created_here: pam_java created the JVM (the runtime's jvmInitialized() says so). */
int pj_register_natives(JNIEnv *env, jclass natives_class, int created_here);

#endif
