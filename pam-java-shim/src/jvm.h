/* jvm.h: the process's one JVM: found or created, the Java runtime loaded into it, calls run in it. */
#ifndef PJ_JVM_H
#define PJ_JVM_H

#include <jni.h>
#include <sys/types.h>

#include "config.h"
#include "workers.h"

/* Before the first call: the configuration and pam_java.so's directory (both outlive every call). */
void pj_jvm_configure(const struct pj_config *cfg, const char *module_dir);
int pj_jvm_is_hosts(void);          /* the process's JVM is the host's own (a Java application) */
pid_t pj_jvm_owner_pid(void);       /* the process that started or attached to the JVM; 0: none yet */
/* On a worker thread: make sure the JVM is up and this thread is attached to it. */
int pj_jvm_attach(JNIEnv **env);
/* On a worker thread: one operation (or the end hook) of one module, in Java. */
int pj_jvm_run(JNIEnv *env, struct pj_call *call);
int pj_jvm_failure_code(void);      /* what calls return after a failed start: PAM_BUF_ERR or PAM_SERVICE_ERR */

#endif
