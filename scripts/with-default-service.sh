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
"$PROJECT_DIR/dist/bin/pam-java-resident" > "$log" 2>&1 &
service=$!
for _ in $(seq 300); do [ -S "$socket" ] && break; kill -0 "$service" 2> /dev/null || break; sleep 0.1; done
if [ ! -S "$socket" ]; then
  echo "with-default-service.sh: the service did not listen on $socket:" >&2
  cat "$log" >&2
  exit 1
fi
echo "with-default-service.sh: pam-java-resident (pid $service) serves $socket; its log: $log"
status=0
"$@" || status=$?
kill "$service" 2> /dev/null || true
wait "$service" 2> /dev/null || true
exit "$status"
