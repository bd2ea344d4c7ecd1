/*
 * devlog_capture: a private /dev/log for tests that count what a real host (setuid su) sends to
 * syslog, where an LD_PRELOAD capture cannot reach (PrivateNamespace, with /dev an overlay):
 *
 *   devlog_capture SOCKET FILE
 *
 * binds a datagram socket at SOCKET, as a syslog daemon's /dev/log, and appends each record it
 * receives to FILE as one line (its raw text, "<PRI>TIMESTAMP TAG: MESSAGE"), one write(2) each,
 * until killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: devlog_capture SOCKET FILE\n");
        return 2;
    }
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "devlog_capture: %s: path too long\n", argv[1]);
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    unlink(argv[1]);
    if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof(addr)) != 0 || chmod(argv[1], 0666) != 0) {
        fprintf(stderr, "devlog_capture: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int out = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (out < 0) {
        fprintf(stderr, "devlog_capture: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    char record[65536 + 1];
    for (;;) {
        ssize_t n = recv(s, record, sizeof(record) - 1, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        while (n > 0 && (record[n - 1] == '\n' || record[n - 1] == '\0'))
            n--;
        for (ssize_t i = 0; i < n; i++)
            if (record[i] == '\n' || record[i] == '\0')
                record[i] = ' ';
        record[n++] = '\n';
        if (write(out, record, (size_t)n) != n)
            return 1;
    }
}
