/*
 * startup.c: what a JVM start needs, checked before libjvm.so is loaded. Past dlopen, a JVM that
 * cannot start may end the process (a failed mmap in libjimage faults before HotSpot's handlers
 * exist), so a JDK that is not all there, or an address-space limit the JVM cannot start under,
 * is refused here with one syslog line and a PAM code, and the host goes on.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "config.h"
#include "log.h"
#include "startup.h"

/*
 * What HotSpot opens under java_home while it starts and the runtime loads (seen with strace of
 * a start; lib/server/libjvm.so first): the class image, which libjimage maps whole, and the
 * native libraries java.base loads before the bridge runs. Any one missing ends the start with
 * "Error occurred during initialization of VM" or worse, so each must be there, a regular file,
 * and (as root) trusted like libjvm.so. lib/libsimdsort.so is optional (CPU-dependent).
 */
static const char *const jdk_files[] = {
    "lib/server/libjvm.so", "lib/modules", "lib/libjimage.so", "lib/libjava.so", "lib/libzip.so",
    "lib/libnio.so", "lib/libnet.so",
};

int pj_jdk_layout_ready(const char *java_home)
{
    char path[PATH_MAX];
    struct stat st;

    for (size_t i = 0; i < sizeof(jdk_files) / sizeof(jdk_files[0]); i++) {
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", java_home, jdk_files[i]) >= sizeof(path)) {
            pj_log(NULL, LOG_ERR, "not starting Java: java_home %s is too long a path", java_home);
            return 0;
        }
        const char *wrong = stat(path, &st) != 0 ? strerror(errno) : !S_ISREG(st.st_mode) ? "not a file"
                            : st.st_size == 0 ? "empty" : NULL;
        if (wrong != NULL) {
            pj_log(NULL, LOG_ERR, "not starting Java: java_home %s is not a whole JDK: %s: %s", java_home,
                   jdk_files[i], wrong);
            return 0;
        }
        if (!pj_path_is_trusted(NULL, path))
            return 0;
    }
    return 1;
}

/*
 * Options in jvm_options that HotSpot acts on where pam_java cannot keep the host's terminal
 * clean or the host alive (measured): it reads the first two's files, and prints the next two,
 * in its first pass over the options, before it has taken pam_java's vfprintf hook (a missing
 * file's error went to the host's stderr, the flags to its stdout), and PrintFlagsInitial and
 * PrintSharedArchiveAndExit then end the process with status 0, past the exit hook.
 */
static const char *const refused_options[] = {
    "-XX:Flags=", "-XX:VMOptionsFile=", "-XX:+PrintVMOptions", "-XX:+PrintFlagsInitial",
    "-XX:+PrintSharedArchiveAndExit",
    /* And those that act later, but against the host all the same: a shell command run from the
     * host's process (as root in su) on a crash or an OutOfMemoryError; an exit past the exit hook
     * (ExitOnOutOfMemoryError: os::_exit(3)); a crash report on the host's terminal; a crash that
     * waits for an answer on it. */
    "-XX:OnError=", "-XX:OnOutOfMemoryError=", "-XX:+ExitOnOutOfMemoryError", "-XX:+ErrorFileToStdout",
    "-XX:+ErrorFileToStderr", "-XX:+ShowMessageBoxOnError",
};

int pj_jvm_option_allowed(const char *option)
{
    for (size_t i = 0; i < sizeof(refused_options) / sizeof(refused_options[0]); i++) {
        if (strncmp(option, refused_options[i], strlen(refused_options[i])) == 0) {
            pj_log(NULL, LOG_ERR, "not starting Java: jvm_options %s is not accepted (HotSpot would write on the"
                   " host's terminal, run a command in it, or end it past pam_java's hooks)", option);
            return 0;
        }
    }
    return 1;
}

/* A HotSpot size ("96m", "1g", "512k", "4096"); 0 when it is not one. */
static unsigned long long parse_size(const char *text)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno != 0 || end == text)
        return 0;
    switch (tolower((unsigned char)*end)) {
    case 't': n <<= 10; /* fall through */
    case 'g': n <<= 10; /* fall through */
    case 'm': n <<= 10; /* fall through */
    case 'k': n <<= 10; end++; break;
    default: break;
    }
    return *end == '\0' ? n : 0;
}

/* The value of the last option starting with PREFIX (the JVM takes the last), else FALLBACK. */
static unsigned long long last_size(const JavaVMOption *opts, int n, const char *prefix, unsigned long long fallback)
{
    size_t len = strlen(prefix);
    for (int i = n - 1; i >= 0; i--)
        if (opts[i].optionString != NULL && strncmp(opts[i].optionString, prefix, len) == 0)
            return parse_size(opts[i].optionString + len);
    return fallback;
}

static unsigned long long file_size(const char *path)
{
    struct stat st;
    return path != NULL && stat(path, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

/* The process's address space now (VmSize), from /proc/self/statm; 0 when it cannot be read. */
static unsigned long long address_space_in_use(void)
{
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "re");
    if (f != NULL) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (unsigned long long)pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

#define MIB (1ULL << 20)
/* Threads a start and a first call create (VM, compiler, reference handler, finalizer, service,
 * periodic task, monitor deflation, notification, common cleaner, a module's own), each with a
 * stack of ThreadStackSize. */
#define JVM_START_THREADS 12
/*
 * What the sum below leaves out, measured: the metaspace's first node (64 MiB, reserved while
 * classes load), the GC's card table, HotSpot's arenas, and the malloc arena of each JVM thread
 * (64 MiB reserved each, at the thread's first malloc; glibc reuses an existing arena when a new
 * one cannot be reserved, but a metaspace node cannot do without). How many arenas come first
 * depends on the threads' timing: with pam_java's options on the C test host the sum came to
 * 468 MiB, and the lowest limit a transaction (module already compiled) succeeded under was
 * 546 MiB on one run of the machine and 671 MiB, every time, on another. This margin puts the
 * requirement some 120 MiB (two arenas) above the higher. A start that still runs out fails in
 * HotSpot's error path, whose abort hook parks the thread: PAM_SERVICE_ERR, the host goes on.
 * Compiling a big .java module needs more (javac, C1's code; about 1.2 GB measured on 2 CPUs).
 */
#define START_MARGIN (320 * MIB)
#define MIN_DATA (192 * MIB)

/*
 * The address-space limit (RLIMIT_AS) against what this start will reserve: the host's current
 * size, the heap, the compressed class space and the code cache as the options set them, the
 * class image, AOT cache and libjvm.so as mapped files, thread stacks, and the margin above.
 * PAM_BUF_ERR when a limit is too low (the process cannot get the memory; the caller's limit,
 * not a broken installation, which is PAM_SERVICE_ERR), PAM_SUCCESS otherwise.
 */
int pj_limits_allow_jvm(const JavaVMOption *opts, int n, const char *java_home, const char *aot_cache)
{
    char path[PATH_MAX];
    struct rlimit limit;

    if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        unsigned long long heap = last_size(opts, n, "-XX:MaxHeapSize=", last_size(opts, n, "-Xmx", 0));
        /* 1 GiB is HotSpot's default class space; 48 MiB its code cache with C1 alone (pam_java's
         * TieredStopAtLevel=1), 240 MiB with C2. */
        unsigned long long class_space = last_size(opts, n, "-XX:CompressedClassSpaceSize=", 1024 * MIB);
        unsigned long long level = last_size(opts, n, "-XX:TieredStopAtLevel=", 4);
        unsigned long long code = last_size(opts, n, "-XX:ReservedCodeCacheSize=", level <= 1 ? 48 * MIB : 240 * MIB);
        unsigned long long stack = last_size(opts, n, "-Xss", 1 * MIB);
        unsigned long long need = address_space_in_use() + heap + class_space + code + JVM_START_THREADS * stack
                                  + file_size(aot_cache) + START_MARGIN;
        snprintf(path, sizeof(path), "%s/lib/modules", java_home);
        need += file_size(path);
        snprintf(path, sizeof(path), "%s/lib/server/libjvm.so", java_home);
        need += file_size(path);
        if ((unsigned long long)limit.rlim_cur < need) {
            pj_log(NULL, LOG_ERR, "not starting Java: the process's address-space limit (RLIMIT_AS, ulimit -v) is"
                   " %llu MiB; a JVM start with these options needs %llu MiB", (unsigned long long)limit.rlim_cur / MIB,
                   need / MIB);
            return PAM_BUF_ERR;
        }
    }
    if (getrlimit(RLIMIT_DATA, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < MIN_DATA) {
        pj_log(NULL, LOG_ERR, "not starting Java: the process's data limit (RLIMIT_DATA, ulimit -d) is %llu MiB;"
               " a JVM start needs %llu MiB", (unsigned long long)limit.rlim_cur / MIB, MIN_DATA / MIB);
        return PAM_BUF_ERR;
    }
    return PAM_SUCCESS;
}
