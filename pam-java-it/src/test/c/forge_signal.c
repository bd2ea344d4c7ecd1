/* forge_signal.c: sends SIGNAL to every thread of PID but the first, as queued signals whose
 * siginfo the sender chose (rt_tgsigqueueinfo, si_code SI_QUEUE, everything else zero): what a
 * user can do to their own setuid process. HotSpot reads such a SIGSEGV's fault address as 0. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: forge_signal SIGNAL PID\n");
        return 2;
    }
    int sig = atoi(argv[1]);
    pid_t pid = (pid_t)atoi(argv[2]);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    DIR *tasks = opendir(path);
    if (tasks == NULL) {
        perror(path);
        return 1;
    }
    int sent = 0;
    for (struct dirent *e; (e = readdir(tasks)) != NULL; ) {
        pid_t tid = (pid_t)atoi(e->d_name);
        if (tid <= 0 || tid == pid)
            continue;
        siginfo_t info;
        memset(&info, 0, sizeof(info));
        info.si_signo = sig;
        info.si_code = SI_QUEUE;
        if (syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, &info) == 0)
            sent++;
    }
    closedir(tasks);
    printf("sent %d\n", sent);
    return sent > 0 ? 0 : 1;
}
