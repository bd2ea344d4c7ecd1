/* descriptors.h: what Java opens is close-on-exec; the host's own descriptors are left as they are. */
#ifndef PJ_DESCRIPTORS_H
#define PJ_DESCRIPTORS_H

int pj_descriptors_before_jvm(void);
void pj_descriptors_after_call(void);

#endif
