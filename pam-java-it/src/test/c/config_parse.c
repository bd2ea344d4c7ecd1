/*
 * config_parse FILE: runs pam_java.so's own parser of pam_java.conf (pam-java-shim/src/config.c,
 * #included, so its static parser is this program's) on FILE and prints its outcome the way ConfigGrammarTest compares it
 * with the Java parser's: "ok" and one "name=value" line per setting the file gives, or
 * "error LINE" (0: not about a line) and the message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.c"

static char message[16384];

/* config.c's logging: the message is the outcome. */
void pj_log(pam_handle_t *pamh, int priority, const char *fmt, ...)
{
    va_list ap;
    (void)pamh;
    (void)priority;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
}

int main(int argc, char **argv)
{
    struct pj_config cfg;

    if (argc != 2) {
        fprintf(stderr, "usage: config_parse FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    config_defaults(&cfg);
    int rc = config_parse(NULL, &cfg, argv[1], f);
    fclose(f);
    if (rc != PAM_SUCCESS) {
        size_t n = strlen(argv[1]);
        int line = strncmp(message, argv[1], n) == 0 && message[n] == ':' ? atoi(message + n + 1) : 0;
        printf("error %d\n%s\n", line, message);
        return 1;
    }
    printf("ok\n");
    const char *names[] = { "java_home", "jvm_options", "class_path", "cache_dir", "resident_socket" };
    const char *values[] = { cfg.java_home, cfg.jvm_options, cfg.class_path, cfg.cache_dir, cfg.resident_socket };
    for (int i = 0; i < 5; i++)
        if (values[i][0] != '\0')
            printf("%s=%s\n", names[i], values[i]);
    if (cfg.timeout_ms != 0)
        printf("timeout_ms=%ld\n", cfg.timeout_ms);
    return 0;
}
