/* config.h: pam_java.conf (pam_java(8)), and the trust walk every root-run file must pass. */
#ifndef PJ_CONFIG_H
#define PJ_CONFIG_H

#include <limits.h>
#include <stdio.h>
#include <security/pam_modules.h>

/* JVM-wide settings from the root-owned configuration file. */
struct pj_config {
    char java_home[PATH_MAX];
    char jvm_options[4096];
    char class_path[4096];
    char cache_dir[PATH_MAX];
    long timeout_ms;            /* 0: wait for the module as long as it takes */
    char resident_socket[PATH_MAX]; /* the resident service's socket; empty: always in-process */
};

int pj_config_load(pam_handle_t *pamh, struct pj_config *cfg);
int pj_path_is_trusted(pam_handle_t *pamh, const char *path);
/* The same walk, silent: 0 when trusted, else 1 with why filled (a caller that logs once). */
int pj_path_trust_problem(const char *path, char *why, size_t size);
int pj_cache_dir_ready(pam_handle_t *pamh, const char *dir);

#endif
