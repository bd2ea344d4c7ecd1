/*
 * socket_activate: what systemd does for a socket unit with Accept=no and a service with
 * StandardInput=socket, for machines without systemd (SocketActivationTest):
 *
 *   socket_activate [--connected] SOCKET PROGRAM [ARG...]
 *
 * makes SOCKET's directory (0700) if missing, removes a stale SOCKET, binds and listens on it
 * (mode 0600, as SocketMode=0600), puts the listener on standard input and execs PROGRAM. With
 * --connected, standard input is instead a connected socket (what Accept=yes would pass), to
 * test that the service refuses it.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what, const char *arg)
{
    fprintf(stderr, "socket_activate: %s %s: %s\n", what, arg, strerror(errno));
    return 111;
}

int main(int argc, char **argv)
{
    int connected = argc > 1 && strcmp(argv[1], "--connected") == 0;
    int first = connected ? 2 : 1;
    if (argc < first + 2) {
        fprintf(stderr, "usage: socket_activate [--connected] SOCKET PROGRAM [ARG...]\n");
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
