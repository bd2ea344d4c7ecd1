#!/usr/bin/env bash
# with-default-service.sh: runs a command while the staging tree's resident service serves the
# socket the staged pam_java.conf names (/run/pam-java/resident.sock, as the package ships it), so
# that every root application of the run uses it by default, as on an installed systemd machine.
# scripts/test.sh runs the integration tests once so, after the run with no service at all.
#
# usage: private-system.sh with-default-service.sh COMMAND [ARG...]    (as root, in the private
#        system: the service's socket goes into its private /run)
set -euo pipefail
source "$(dirname "$0")/env.sh"
[ -n "${PAM_JAVA_PRIVATE_SYSTEM:-}" ] || { echo "with-default-service.sh: run it in scripts/private-system.sh" >&2; exit 2; }
conf=$PROJECT_DIR/dist/etc/security/pam_java.conf
socket=$(sed -n 's/^resident_socket *= *//p' "$conf")
[ -n "$socket" ] || { echo "with-default-service.sh: $conf names no resident_socket" >&2; exit 2; }
log=$PROJECT_DIR/target/default-service.log
mkdir -p "$(dirname "$log")"
: > "$log"
# As systemd's Restart=always (RestartSec=1): a test whose module ends or crashes the service's
# JVM fails its own calls, and the next test finds a new service.
supervise() {
  local child=
  trap '[ -n "$child" ] && kill "$child" 2> /dev/null; wait; exit 0' TERM
  while :; do
    "$PROJECT_DIR/dist/bin/pam-java-resident" >> "$log" 2>&1 &
    child=$!
    wait "$child" && status=0 || status=$?
    echo "with-default-service.sh: the service exited with status $status; starting it again in 1 s" >> "$log"
    sleep 1 &
    wait $!
  done
}
supervise &
supervisor=$!
for _ in $(seq 300); do [ -S "$socket" ] && break; sleep 0.1; done
if [ ! -S "$socket" ]; then
  echo "with-default-service.sh: the service did not listen on $socket:" >&2
  cat "$log" >&2
  kill "$supervisor"
  exit 1
fi
echo "with-default-service.sh: pam-java-resident serves $socket (restarted when it exits); its log: $log"
status=0
"$@" || status=$?
kill "$supervisor" 2> /dev/null || true
wait "$supervisor" 2> /dev/null || true
restarts=$(grep -c '^with-default-service.sh: the service exited' "$log" || true)
echo "with-default-service.sh: the service was restarted $restarts times during the run"
exit "$status"
