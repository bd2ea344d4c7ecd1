/* jvm_signals.h: the host's signal dispositions around the JVM's start (jvm.c uses these). */
#ifndef PJ_JVM_SIGNALS_H
#define PJ_JVM_SIGNALS_H

void pj_signals_save_host(void);            /* before JNI_CreateJavaVM */
void pj_signals_restore_host(void);         /* after it, and after the runtime's start: the host's back */
void pj_signals_filter_sent_to_jvm(void);   /* once the JVM is up: sent signals do not reach HotSpot */

#endif
