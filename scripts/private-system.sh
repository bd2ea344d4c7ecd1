#!/usr/bin/env bash
# private-system.sh: runs a command (scripts/test.sh runs the Maven build and its tests) in a private
# copy of the system, so that the tests may add a user, rewrite /etc/pam.d/su and run sshd while
# nothing outside changes, even when the run is killed.
#
# usage: private-system.sh COMMAND [ARG...]          (as root)
#
# The command runs in new mount and PID namespaces. There, /usr is read-only, and /etc, /run and /var are overlays whose
# lower layer is the machine's directory and whose upper layer is in memory (a tmpfs that no path
# names), and /tmp is an empty tmpfs: reads see the machine, writes stay in the namespace (file
# systems mounted below those directories, such as /run/user/N, are not seen). useradd's rename of
# /etc/passwd+ works on an overlay (a file bind-mounted over /etc/passwd would refuse it).
# When the namespace's first process ends, or unshare is killed (even with SIGKILL: --kill-child),
# the kernel kills every process left in it and drops its mounts and their memory.
#
# The command sees PAM_JAVA_PRIVATE_SYSTEM set to the machine's mount namespace: the tests that write
# /etc (pam-java-it-support's PrivateSystem) fail if that variable is set and they are not in
# such a copy, and skip when it is not set (a developer's plain `mvn test`).
set -euo pipefail

if [ "${1:-}" != --in-namespace ]; then
  [ "$#" -gt 0 ] || { echo "usage: private-system.sh COMMAND [ARG...]" >&2; exit 2; }
  [ "$(id -u)" -eq 0 ] || { echo "private-system.sh: needs root (unshare, mount)" >&2; exit 1; }
  machine=$(readlink /proc/self/ns/mnt)
  exec unshare --mount --propagation private --pid --fork --kill-child --mount-proc \
    env PAM_JAVA_PRIVATE_SYSTEM="$machine" bash "$(realpath "${BASH_SOURCE[0]}")" --in-namespace "$@"
fi
shift

# The project (the working directory) stays the machine's, even below /tmp, /var or /run (a CI
# checkout may be anywhere): the build's output must outlive the namespace. A descriptor keeps
# the machine's directory at hand while those are covered, and it is bound back at its path.
project=$PWD
exec {project_fd}<"$project"

# The upper layers live on a tmpfs mounted over /tmp for a moment: each overlay keeps its own
# reference to it, so it can be unmounted again, and /tmp becomes a fresh tmpfs of its own.
mount -t tmpfs -o mode=0700 pam-java-private /tmp
for dir in etc run var; do
  mkdir "/tmp/$dir" "/tmp/$dir.work"
  mount -t overlay -o "lowerdir=/$dir,upperdir=/tmp/$dir,workdir=/tmp/$dir.work" pam-java-private "/$dir"
done
umount /tmp
mount -t tmpfs -o mode=1777 pam-java-private /tmp
# /usr (and so /lib, /bin on a merged-/usr Debian) is read-only here: an apt-get run inside would
# put files into the machine's /usr while recording them in the private /var's dpkg database (a
# benchmark run once installed matplotlib that way). Packages are installed before, outside.
mount --bind /usr /usr
mount -o remount,bind,ro /usr
mkdir -p "$project"
mount --no-canonicalize --bind "/proc/self/fd/$project_fd" "$project"
exec {project_fd}<&-
cd "$project"

# Not exec: this shell is the namespace's PID 1 and reaps what the command leaves orphaned.
"$@"
