/*
 * socket_activate: what systemd does for a socket unit with Accept=no and a service with
 * StandardInput=socket, for machines without systemd (SocketActivationTest):
 *
 *   socket_activate [--connected | --restart] SOCKET PROGRAM [ARG...]
 *
 * makes SOCKET's directory (0700) if missing, removes a stale SOCKET, binds and listens on it
 * (mode 0600, as SocketMode=0600), puts the listener on standard input and execs PROGRAM. With
 * --connected, standard input is instead a connected socket (what Accept=yes would pass), to
 * test that the service refuses it. With --restart, as Restart=always and RestartSec=1 do: this
 * process keeps the listener (connections queue in its backlog meanwhile) and runs PROGRAM in a
 * child, started again 1 s after each exit, whatever its status; SIGTERM stops the child and
 * then this process (systemctl stop). Each start and exit is a line on standard error.
 */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what, const char *arg)
{
    fprintf(stderr, "socket_activate: %s %s: %s\n", what, arg, strerror(errno));
    return 111;
}

static volatile sig_atomic_t stopping;
static volatile pid_t running;

static void stop(int sig)
{
    (void)sig;
    stopping = 1;
    if (running > 0)
        kill(running, SIGTERM);
}

/* Restart=always, RestartSec=1: PROGRAM in a child with the listener as its standard input, again after each exit. */
static int supervise(int listener, char **program)
{
    struct sigaction sa = { .sa_handler = stop };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    while (!stopping) {
        pid_t pid = fork();
        if (pid < 0)
            return fail("fork", program[0]);
        if (pid == 0) {
            signal(SIGTERM, SIG_DFL);
            if (dup2(listener, 0) != 0)
                _exit(fail("dup2", "0"));
            if (listener != 0)
                close(listener);
            execv(program[0], program);
            _exit(fail("exec", program[0]));
        }
        running = pid;
        fprintf(stderr, "socket_activate: started %d\n", (int)pid);
        if (stopping)
            kill(pid, SIGTERM);     /* a SIGTERM between fork and running = pid */
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        running = 0;
        fprintf(stderr, "socket_activate: %d exited (%s %d)\n", (int)pid,
                WIFSIGNALED(status) ? "signal" : "status", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        struct timespec restart_sec = { 1, 0 };
        while (!stopping && nanosleep(&restart_sec, &restart_sec) != 0 && errno == EINTR)
            ;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int connected = argc > 1 && strcmp(argv[1], "--connected") == 0;
    int restart = argc > 1 && strcmp(argv[1], "--restart") == 0;
    int first = connected || restart ? 2 : 1;
    if (argc < first + 2) {
        fprintf(stderr, "usage: socket_activate [--connected | --restart] SOCKET PROGRAM [ARG...]\n");
        return 2;
    }
    const char *path = argv[first];
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return fail("socket path", path);
    }
    strcpy(addr.sun_path, path);
    char dir[sizeof(addr.sun_path)];
    strcpy(dir, path);
    if (mkdir(dirname(dir), 0700) != 0 && errno != EEXIST)
        return fail("mkdir", path);
    if (unlink(path) != 0 && errno != ENOENT)
        return fail("unlink", path);
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) != 0)
        return fail("bind", path);
    if (chmod(path, 0600) != 0 || listen(listener, 256) != 0)
        return fail("listen", path);
    if (restart)
        return supervise(listener, argv + first + 1);
    int given = listener;
    if (connected) {
        given = socket(AF_UNIX, SOCK_STREAM, 0);
        if (given < 0 || connect(given, (struct sockaddr *)&addr, sizeof(addr)) != 0)
            return fail("connect", path);
    }
    if (dup2(given, 0) != 0)
        return fail("dup2", "0");
    if (given != 0)
        close(given);
    if (listener != 0 && listener != given)
        close(listener);
    execv(argv[first + 1], argv + first + 1);
    return fail("exec", argv[first + 1]);
}
