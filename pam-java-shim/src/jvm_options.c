/* jvm_options.c: the options pam_java.so starts the JVM with (jvm_options.h). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "jvm_options.h"
#include "log.h"
#include "startup.h"

#ifndef PJ_RUNTIME_DIR
#error "PJ_RUNTIME_DIR must be defined by the build"
#endif

static const char *const runtime_jars[] = PJ_RUNTIME_JARS;

size_t pj_runtime_jar_count(void)
{
    return sizeof(runtime_jars) / sizeof(runtime_jars[0]);
}

const char *pj_runtime_jar(size_t i)
{
    return runtime_jars[i];
}

static int add_option(struct pj_jvm_options *o, char *text, void *extra)
{
    if (text == NULL || o->n >= PJ_MAX_JVM_OPTIONS)
        return 0;
    o->opts[o->n].optionString = text;
    o->opts[o->n].extraInfo = extra;
    o->n++;
    return 1;
}

static char *format(const char *fmt, const char *a, const char *b)
{
    char *s = NULL;
    if (asprintf(&s, fmt, a, b) < 0)
        return NULL;
    return s;
}

/* -Djava.class.path= and the runtime's jars in PJ_RUNTIME_DIR, in order, or NULL (out of memory). */
static char *class_path_option(void)
{
    size_t size = sizeof("-Djava.class.path=");
    for (size_t i = 0; i < pj_runtime_jar_count(); i++)
        size += strlen(PJ_RUNTIME_DIR) + strlen(runtime_jars[i]) + 2;
    char *s = malloc(size);
    if (s == NULL)
        return NULL;
    strcpy(s, "-Djava.class.path=");
    for (size_t i = 0; i < pj_runtime_jar_count(); i++) {
        if (i > 0)
            strcat(s, ":");
        strcat(s, PJ_RUNTIME_DIR "/");
        strcat(s, runtime_jars[i]);
    }
    return s;
}

/* The system's time zone, from the /etc/localtime link (Debian), else /etc/timezone, else UTC. */
static void system_time_zone(char *zone, size_t size)
{
    char link[PATH_MAX];
    ssize_t n = readlink("/etc/localtime", link, sizeof(link) - 1);
    if (n > 0) {
        link[n] = '\0';
        char *id = strstr(link, "zoneinfo/");
        if (id != NULL && strlen(id + 9) < size) {
            strcpy(zone, id + 9);
            return;
        }
    }
    FILE *f = fopen("/etc/timezone", "re");
    if (f != NULL) {
        if (fgets(zone, (int)size, f) != NULL) {
            zone[strcspn(zone, " \t\n")] = '\0';
            fclose(f);
            if (zone[0] != '\0')
                return;
        } else {
            fclose(f);
        }
    }
    snprintf(zone, size, "UTC");
}

int pj_jvm_options_build(struct pj_jvm_options *o, const char *cache_dir, const char *jvm_options,
                         void *exit_hook, void *abort_hook)
{
    int ok = 1;

    memset(o, 0, sizeof(*o));
    #define OWN(expr) (o->owned[o->n_owned] = (expr), o->owned[o->n_owned] != NULL ? o->owned[o->n_owned++] : NULL)
    /* The hooks first: HotSpot takes options in order, and what it prints about a later one (an
     * option a newer JDK no longer knows: "Unrecognized VM option") then goes through vfprintf
     * into syslog, not onto the host's terminal. */
    ok &= add_option(o, "vfprintf", (void *)pj_vfprintf_hook);
    ok &= add_option(o, "exit", exit_hook);
    ok &= add_option(o, "abort", abort_hook);
    ok &= add_option(o, OWN(class_path_option()), NULL);
    ok &= add_option(o, OWN(format("-Djava.library.path=%s%s", PJ_RUNTIME_DIR, "")), NULL);
    ok &= add_option(o, OWN(format("-Duser.home=%s%s", cache_dir, "")), NULL);
    /* A crash writes no report and no banner: HotSpot would print the banner on the host's stdout
     * (the user's terminal), copy the caller's environment into the report, and, if the report
     * file cannot be opened, fall back to the working directory and /tmp, following symlinks.
     * An administrator who turns reports back on (-XX:-SuppressFatalErrorMessage in jvm_options)
     * gets one file in the root-only cache directory, replaced by the next crash: never one per PID. */
    ok &= add_option(o, "-XX:+SuppressFatalErrorMessage", NULL);
    ok &= add_option(o, OWN(format("-XX:ErrorFile=%s/hs_err.log%s", cache_dir, "")), NULL);
    ok &= add_option(o, "-XX:-DumpReplayDataOnError", NULL);
    /* An explicit (empty) compile-command file: HotSpot then does not look for .hotspot_compiler in
     * the working directory (and warns on the terminal when it finds one). */
    ok &= add_option(o, "-XX:CompileCommandFile=/dev/null", NULL);
    /* -Xrs: the host keeps SIGINT, SIGTERM, SIGHUP and SIGQUIT. With -Xrs the attach listener
     * would start eagerly, hence -XX:+DisableAttachMechanism. */
    ok &= add_option(o, "-Xrs", NULL);
    ok &= add_option(o, "-XX:+DisableAttachMechanism", NULL);
    ok &= add_option(o, "-XX:-UsePerfData", NULL);
    /* No core file with the heap (and whatever secrets it holds) in the host's directory. */
    ok &= add_option(o, "-XX:-CreateCoredumpOnCrash", NULL);
    /* An explicit (empty) flags file: HotSpot then ignores a .hotspotrc in the current directory. */
    ok &= add_option(o, "-XX:Flags=/dev/null", NULL);
    ok &= add_option(o, OWN(format("-Djava.io.tmpdir=%s%s", cache_dir, "")), NULL);
    char zone[128];
    system_time_zone(zone, sizeof(zone));
    ok &= add_option(o, OWN(format("-Duser.timezone=%s%s", zone, "")), NULL);
    /* Start-up budget: one GC thread, the C1 compiler only, a small heap. */
    ok &= add_option(o, "-XX:+UseSerialGC", NULL);
    ok &= add_option(o, "-XX:TieredStopAtLevel=1", NULL);
    ok &= add_option(o, "-Xmx96m", NULL);
    /* A 1 MiB young generation: a PAM call's garbage is short-lived, and a long-lived host's RSS
     * stops growing once that much has been touched (the default, a third of the heap, is 32 MB
     * of pages that the allocation churn of warm transactions would touch one by one). */
    ok &= add_option(o, "-Xmn1m", NULL);
    /* A module with static state defines its classes in a loader per PAM handle; a low metaspace
     * threshold lets the serial GC unload the dead ones early, so a long-lived host stays flat. */
    ok &= add_option(o, "-XX:MetaspaceSize=8m", NULL);
    /* HotSpot reserves 1 GiB of compressed class space by default, which alone failed starts
     * under `ulimit -v` of 1.5 GB. Measured use: 1.4 MB after javac compiled an 800-class module
     * and the module ran (2.2 MB without the AOT cache); 64 MiB leaves some 30 times that for the
     * loaders of long-lived hosts (the per-handle loaders of modules with static state). */
    ok &= add_option(o, "-XX:CompressedClassSpaceSize=64m", NULL);
    /* HotSpot raises the soft open-file limit to the hard one by default (256 became 20000): the
     * host's limit is the host's (select(2) users rely on FD_SETSIZE). */
    ok &= add_option(o, "-XX:-MaxFDLimit", NULL);
    /* The AOT cache's method profiles are for C2, which pam_java does not run; replaying them
     * only queues C1 compilations that compete with start-up for the CPU (~2-4 ms, measured).
     * A diagnostic flag a later JDK may drop: without it the JVM still starts (see below). */
    o->speedup_at = o->n;
    ok &= add_option(o, "-XX:+UnlockDiagnosticVMOptions", NULL);
    ok &= add_option(o, "-XX:-AOTReplayTraining", NULL);
    /* java.util.logging and System.Logger (its default backend) in module code: records to the
     * call's syslog, as prints. Named, not loaded: LogManager reads it only when something logs. */
    ok &= add_option(o, "-Djava.util.logging.config.class=" PJ_LOGGING_CONFIG_CLASS, NULL);
    /* Reflection (the module's constructor) without generating method-handle classes: ~5 ms. */
    ok &= add_option(o, "-Djdk.reflect.useNativeAccessorOnly=true", NULL);
    /* Unified logging writes to stdout; the host's terminal is not ours. Its stdout output goes
     * through the vfprintf hook (jio_fprintf), so the AOT cache's warnings and errors (a damaged
     * or stale cache, started without) are kept: they reach syslog, as "jvm: [...][aot] ...". */
    ok &= add_option(o, "-Xlog:disable", NULL);
    ok &= add_option(o, "-Xlog:aot=warning", NULL);
    /* The JDK prints these two warnings on its initial stderr, the host's terminal, whatever
     * System.err is: allow what they warn about instead (native access: the natives, and the
     * C library's NSS lookups behind PamHandle.nss(), made through java.lang.foreign). */
    ok &= add_option(o, "--enable-native-access=ALL-UNNAMED", NULL);
    ok &= add_option(o, "--sun-misc-unsafe-memory-access=allow", NULL);
    if ((size_t)snprintf(o->aot_path, sizeof(o->aot_path), "%s/%s", PJ_RUNTIME_DIR, PJ_AOT_CACHE) < sizeof(o->aot_path)
        && faccessat(AT_FDCWD, o->aot_path, R_OK, AT_EACCESS) == 0) {  /* the effective uid reads it (setuid hosts) */
        ok &= add_option(o, OWN(format("-XX:AOTCache=%s%s", o->aot_path, "")), NULL);
        /* HotSpot maps the cache and trusts its bytes: damaged ones crashed 12 starts in 40 (in
         * MethodCounters::restore_unshareable_info). With this flag it first checks each region
         * against the CRC the dump wrote into the header, and on a mismatch starts without the
         * cache ("Unable to map shared spaces", through the vfprintf hook into syslog). The check
         * costs some 15 ms of a cold start (a CRC over the 10 MB file). */
        ok &= add_option(o, "-XX:+VerifySharedSpaces", NULL);
        o->aot_cache_used = 1;
    }
    /* The administrator's options come last so they win. */
    if (jvm_options[0] != '\0' && (o->user_options = strdup(jvm_options)) != NULL) {
        char *save = NULL;
        for (char *t = strtok_r(o->user_options, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save)) {
            if (!pj_jvm_option_allowed(t))    /* logged */
                return -1;
            ok &= add_option(o, t, NULL);
        }
    }
#undef OWN
    if (!ok) {
        pj_log(NULL, LOG_ERR, "cannot build the JVM options (out of memory or too many jvm_options)");
        return -1;
    }
    return 0;
}

void pj_jvm_options_free(struct pj_jvm_options *o)
{
    for (int i = 0; i < o->n_owned; i++)
        free(o->owned[i]);
    free(o->user_options);
    o->n_owned = 0;
    o->user_options = NULL;
}
