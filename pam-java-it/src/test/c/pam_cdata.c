/*
 * pam_cdata.c: a C PAM module for HandleDataTest. Its authenticate stores "from C" with
 * pam_set_data(3) under the name Java modules of the same stack use for their own data
 * (pam_java_it_shared); its acct_mgmt reads it back. With out=FILE it appends "c-read VALUE" and,
 * at pam_end, "c-cleanup VALUE STATUS": Java's data of that name must neither replace nor hide it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <security/pam_modules.h>

#define NAME "pam_java_it_shared"

struct stored {
    char value[32];
    char out[4096];
};

static const char *out_of(int argc, const char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], "out=", 4) == 0)
            return argv[i] + 4;
    return NULL;
}

static void record(const char *out, const char *what, const char *value, int status)
{
    FILE *f = out != NULL && out[0] != '\0' ? fopen(out, "a") : NULL;
    if (f == NULL)
        return;
    fprintf(f, "%s %s %d\n", what, value, status);
    fclose(f);
}

static void cleanup(pam_handle_t *pamh, void *data, int status)
{
    struct stored *s = data;
    (void)pamh;
    record(s->out, "c-cleanup", s->value, status);
    free(s);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    struct stored *s = calloc(1, sizeof(*s));
    const char *out = out_of(argc, argv);
    (void)flags;
    if (s == NULL)
        return PAM_BUF_ERR;
    strcpy(s->value, "from-C");
    if (out != NULL)
        snprintf(s->out, sizeof(s->out), "%s", out);
    if (pam_set_data(pamh, NAME, s, cleanup) != PAM_SUCCESS) {
        free(s);
        return PAM_SERVICE_ERR;
    }
    return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)pamh; (void)flags; (void)argc; (void)argv;
    return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    const void *data = NULL;
    (void)flags;
    if (pam_get_data(pamh, NAME, &data) != PAM_SUCCESS || data == NULL) {
        record(out_of(argc, argv), "c-read", "(none)", 0);
        return PAM_PERM_DENIED;
    }
    const struct stored *s = data;
    record(out_of(argc, argv), "c-read", s->value, 0);
    return strcmp(s->value, "from-C") == 0 ? PAM_SUCCESS : PAM_PERM_DENIED;
}
