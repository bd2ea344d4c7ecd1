/*
 * authtok_probe.c: a PAM module (pam_authtok_probe.so) that calls libpam's own pam_get_authtok
 * family, pam_prompt, pam_info and pam_error, so a test can compare what libpam does with what
 * pam_java's PamHandle does (AuthtokProbe.java does the same steps in Java).
 *
 * Arguments: steps=STEP;STEP... (in chauthtok's PAM_UPDATE_AUTHTOK pass and in every other
 * operation), prelim=STEP;... (chauthtok's PAM_PRELIM_CHECK pass), out=FILE; any other argument
 * is for libpam (use_first_pass, authtok_type=...). A STEP is one of
 *   get[=PROMPT] getstr[=PROMPT] old[=PROMPT] noverify[=PROMPT] verify[=PROMPT]
 *   set=X setold=X settype=X unset prompt=STYLE:TEXT info=TEXT error=TEXT
 * Each step appends "PASS STEP CODE VALUE" to FILE (VALUE: [text] or -), then the module appends
 * "PASS items authtok=... oldauthtok=... type=..." and returns the first failing code, else 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <security/pam_modules.h>
#include <security/pam_ext.h>

static const char *arg_value(int argc, const char **argv, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], name, len) == 0 && argv[i][len] == '=')
            return argv[i] + len + 1;
    return NULL;
}

static void put_value(FILE *out, const char *value)
{
    if (value == NULL)
        fputs("-", out);
    else
        fprintf(out, "[%s]", value);
}

static const char *item(pam_handle_t *pamh, int type)
{
    const void *value = NULL;
    return pam_get_item(pamh, type, &value) == PAM_SUCCESS ? value : NULL;
}

/* One step: its code, and in *value what it got (a string libpam owns, or *owned, freed by the caller). */
static int step(pam_handle_t *pamh, const char *name, const char *arg, const char **value, char **owned)
{
    if (strcmp(name, "get") == 0 || strcmp(name, "getstr") == 0)
        return pam_get_authtok(pamh, PAM_AUTHTOK, value, arg);
    if (strcmp(name, "old") == 0)
        return pam_get_authtok(pamh, PAM_OLDAUTHTOK, value, arg);
    if (strcmp(name, "noverify") == 0)
        return pam_get_authtok_noverify(pamh, value, arg);
    if (strcmp(name, "verify") == 0) {
        /* As pam_pwquality: the token noverify got (the item); with none libpam would read NULL. */
        if ((*value = item(pamh, PAM_AUTHTOK)) == NULL)
            return PAM_AUTHTOK_ERR;
        return pam_get_authtok_verify(pamh, value, arg);
    }
    if (strcmp(name, "set") == 0)
        return pam_set_item(pamh, PAM_AUTHTOK, arg);
    if (strcmp(name, "setold") == 0)
        return pam_set_item(pamh, PAM_OLDAUTHTOK, arg);
    if (strcmp(name, "settype") == 0)
        return pam_set_item(pamh, PAM_AUTHTOK_TYPE, arg);
    if (strcmp(name, "unset") == 0)
        return pam_set_item(pamh, PAM_AUTHTOK, NULL);
    if (strcmp(name, "prompt") == 0 && arg != NULL && strchr(arg, ':') != NULL) {
        int rc = pam_prompt(pamh, atoi(arg), owned, "%s", strchr(arg, ':') + 1);
        *value = *owned;
        return rc;
    }
    if (strcmp(name, "info") == 0)
        return pam_info(pamh, "%s", arg != NULL ? arg : "");
    if (strcmp(name, "error") == 0)
        return pam_error(pamh, "%s", arg != NULL ? arg : "");
    return PAM_SERVICE_ERR;
}

static int run(pam_handle_t *pamh, const char *pass, const char *steps, int argc, const char **argv)
{
    const char *path = arg_value(argc, argv, "out");
    FILE *out = path != NULL ? fopen(path, "a") : NULL;
    char *copy = strdup(steps != NULL ? steps : "");
    int result = PAM_SUCCESS;

    if (out == NULL || copy == NULL) {
        if (out != NULL)
            fclose(out);
        free(copy);
        return PAM_SERVICE_ERR;
    }
    for (char *save = NULL, *s = strtok_r(copy, ";", &save); s != NULL; s = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(s, '=');
        const char *value = NULL;
        char *owned = NULL;
        if (eq != NULL)
            *eq = '\0';
        int rc = step(pamh, s, eq != NULL ? eq + 1 : NULL, &value, &owned);
        fprintf(out, "%s %s %d ", pass, s, rc);
        put_value(out, rc == PAM_SUCCESS ? value : NULL);
        fputc('\n', out);
        free(owned);
        if (result == PAM_SUCCESS)
            result = rc;
    }
    fprintf(out, "%s items authtok=", pass);
    put_value(out, item(pamh, PAM_AUTHTOK));
    fputs(" oldauthtok=", out);
    put_value(out, item(pamh, PAM_OLDAUTHTOK));
    fputs(" type=", out);
    put_value(out, item(pamh, PAM_AUTHTOK_TYPE));
    fputc('\n', out);
    fclose(out);
    free(copy);
    return result;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)flags;
    return run(pamh, "auth", arg_value(argc, argv, "steps"), argc, argv);
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)pamh;
    (void)flags;
    (void)argc;
    (void)argv;
    return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    if (flags & PAM_PRELIM_CHECK)
        return run(pamh, "prelim", arg_value(argc, argv, "prelim"), argc, argv);
    return run(pamh, "update", arg_value(argc, argv, "steps"), argc, argv);
}
