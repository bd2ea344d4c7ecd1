package org.pamjava.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A shell command run as root in a private mount namespace, so the machine never changes: there
 * /etc is an overlay on a tmpfs, with the test's PAM service files in /etc/pam.d and a test user
 * ({@link #USER}) in /etc/passwd, and the resident service, when asked for, runs with its socket
 * in a private /run. A SIGKILL at any point leaves nothing behind: the mounts go with the
 * namespace's last process. Self-contained on purpose, so it works whether or not the suite itself
 * runs in a namespace. {@link #su} gives the command line of util-linux su, setuid root, run by
 * the test user.
 */
final class PrivateNamespace {
    static final String USER = "pamjava-setuid";
    static final Path SU = Path.of("/usr/bin/su");
    /** Short, so the socket's path fits in sun_path whatever the checkout's path. */
    static final String SOCKET_DIR = "/run/pam-java-private";

    /** What the scenario printed: "service-pid N" (with the service), the command's output, "exit N". */
    record Outcome(List<String> lines, String log) {
        long servicePid() {
            return Long.parseLong(value("service-pid"));
        }

        int exitCode() {
            return Integer.parseInt(value("exit"));
        }

        String value(String key) {
            return lines.stream().filter(l -> l.startsWith(key + " ")).map(l -> l.substring(key.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + lines + "\n" + log));
        }
    }

    private PrivateNamespace() {}

    /** Skips the test unless this is root, with a mount namespace to use (and su, setuid, and setpriv). */
    static void assumeAvailable(boolean su) throws IOException, InterruptedException {
        assumeTrue(Hardening.isRoot(), "a private mount namespace needs root");
        if (su) {
            assumeTrue(Files.isExecutable(SU) && Files.getAttribute(SU, "unix:mode") instanceof Integer m
                    && (m & 04000) != 0, "util-linux su, setuid root, is needed");
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
        }
        Process probe = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "true")
                .redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "cannot make a private mount namespace (unshare --mount)");
    }

    /** The shell's quoting of {@code s}. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** {@code su -c SHELL_COMMAND TARGET} started by the test user, who is not root: su is setuid root. */
    static String su(String target, String shellCommand) {
        return "setpriv --reuid=" + USER + " --regid=" + USER + " --init-groups su -c " + quote(shellCommand)
                + " " + quote(target) + " < /dev/null";
    }

    /**
     * Runs {@code command} (a shell command line) as root in the bed's directory, with
     * {@code pamServices} (name to text) in /etc/pam.d. With {@code residentService}, the resident
     * service runs and the resident variant of pam_java.so finds its socket.
     */
    static Outcome run(PamTestBed bed, Map<String, String> pamServices, boolean residentService, String command)
            throws IOException, InterruptedException {
        return run(bed, pamServices, residentService ? Resident.SERVICE : Resident.NONE, null, command);
    }

    /** What the namespace has of the resident service. */
    enum Resident {
        /** The machine's /run and pam_java.conf, as they are. */
        NONE,
        /** A private /run in which the resident variant's pam_java.conf names a socket that does not exist. */
        NO_SOCKET,
        /** A private /run, and the service listening on the socket the resident variant's pam_java.conf names. */
        SERVICE
    }

    /**
     * As above, with {@code resident} saying what of the service there is, and, with a {@code devlog}
     * file, a private /dev/log (in an overlay of /dev) whose records that file receives, one a line:
     * what a setuid host sends to syslog, which no LD_PRELOAD capture reaches.
     */
    static Outcome run(PamTestBed bed, Map<String, String> pamServices, Resident resident, Path devlog, String command)
            throws IOException, InterruptedException {
        Path services = Files.createDirectories(bed.dir.resolve("etc-pam.d"));
        for (var service : pamServices.entrySet()) {
            Files.writeString(services.resolve(service.getKey()), service.getValue());
        }
        Path script = bed.dir.resolve("namespace.sh");
        Files.writeString(script, SCRIPT);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Path log = bed.dir.resolve("namespace.log");
        Process p = new ProcessBuilder(List.of("unshare", "--mount", "--propagation", "private", "/bin/sh",
                script.toString(), bed.dir.toString(), services.toString(), USER,
                resident.name(), PamTestBed.DIST.toString(),
                ResidentFixture.CONF.toString(), SOCKET_DIR, PamTestBed.NATIVE.toString(), PamTestBed.MODULES.toString(),
                devlog == null ? "" : devlog.toString(), command))
                .directory(bed.dir.toFile()).redirectError(log.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("the scenario did not finish: " + out + Files.readString(log));
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("the scenario failed (" + p.exitValue() + "): " + out + Files.readString(log));
        }
        return new Outcome(out.lines().toList(), Files.readString(log));
    }

    /*
     * Arguments: BED SERVICES USER RESIDENT DIST RESIDENT_CONF SOCKET_DIR NATIVE MODULES DEVLOG COMMAND
     * (DEVLOG empty: no capture). Every mount is private to this namespace; what it starts (the
     * service, the capture) is stopped on the way out.
     */
    private static final String SCRIPT = """
            set -eu
            bed=$1 services=$2 user=$3 mode=$4 dist=$5 resident_conf=$6 socket_dir=$7 native=$8 modules=$9
            shift 9
            devlog=$1 command=$2
            started=
            trap 'kill $started 2>/dev/null || true' EXIT
            private=$bed/namespace
            mkdir -p "$private"
            mount -t tmpfs -o mode=0755 pam-java-test "$private"
            mkdir "$private/upper" "$private/work"
            mount -t overlay overlay -o "lowerdir=/etc,upperdir=$private/upper,workdir=$private/work" /etc
            for service in "$services"/*; do
                [ -e "$service" ] || continue
                cp "$service" /etc/pam.d/
                chmod 0644 "/etc/pam.d/${service##*/}"
            done
            # The test user, with a free uid, in the private /etc only.
            uid=46000
            while grep -q "^[^:]*:[^:]*:$uid:" /etc/passwd /etc/group; do uid=$((uid + 1)); done
            if ! grep -q "^$user:" /etc/passwd; then
                echo "$user:x:$uid:$uid:pam_java test:/nonexistent:/bin/sh" >> /etc/passwd
                echo "$user:x:$uid:" >> /etc/group
            fi
            if [ -n "$devlog" ]; then
                mkdir "$private/dev-upper" "$private/dev-work"
                mount -t overlay overlay -o "lowerdir=/dev,upperdir=$private/dev-upper,workdir=$private/dev-work" /dev
                "$native/devlog_capture" /dev/log "$devlog" &
                started="$started $!"
                i=0
                until [ -S /dev/log ]; do
                    i=$((i + 1))
                    [ $i -le 600 ] || { echo "no private /dev/log" >&2; exit 1; }
                    sleep 0.05
                done
            fi
            if [ "$mode" != NONE ]; then
                mount -t tmpfs -o mode=0755 pam-java-run /run
                echo "resident_socket = $socket_dir/resident.sock" > "$private/resident.conf"
                chmod 0644 "$private/resident.conf"
                [ -e "$resident_conf" ] || : > "$resident_conf"
                mount --bind "$private/resident.conf" "$resident_conf"
            fi
            if [ "$mode" = SERVICE ]; then
                "$dist/bin/pam-java-resident" --config "$private/resident.conf" >&2 &
                service=$!
                started="$started $service"
                echo "service-pid $service"
                i=0
                while [ ! -S "$socket_dir/resident.sock" ]; do
                    i=$((i + 1))
                    if [ $i -gt 600 ] || ! kill -0 $service 2>/dev/null; then
                        echo "the resident service did not listen" >&2
                        exit 1
                    fi
                    sleep 0.05
                done
                # Ready once a transaction runs in it: a service that just started may not greet
                # its first client in time (pam_java.so then runs the module in-process).
                mkdir "$private/probe.d"
                echo "auth required $native/residentvariant/pam_java.so $modules/ProcessIdModule.java out=$private/probe" \
                    > "$private/probe.d/probe"
                i=0
                until [ "$(cat "$private/probe" 2>/dev/null)" = "authenticate pid=$service" ]; do
                    i=$((i + 1))
                    if [ $i -gt 20 ]; then
                        echo "the resident service did not answer" >&2
                        exit 1
                    fi
                    rm -f "$private/probe"
                    "$native/pam_host" --confdir "$private/probe.d" probe auth > /dev/null || true
                done
            fi
            rc=0
            sh -c "$command" || rc=$?
            echo "exit $rc"
            """;
}
