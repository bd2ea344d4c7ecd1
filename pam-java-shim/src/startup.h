/* startup.h: what a JVM start needs, checked before libjvm.so is loaded. */
#ifndef PJ_STARTUP_H
#define PJ_STARTUP_H

#include <jni.h>

int pj_jdk_layout_ready(const char *java_home);
int pj_jvm_option_allowed(const char *option);
int pj_limits_allow_jvm(const JavaVMOption *opts, int n, const char *java_home, const char *aot_cache);

#endif
