#!/usr/bin/env bash
# test.sh: the README's second command (and CI's): installs what is missing, builds, and runs
# every test: unit tests, the integration tests through the real libpam, and the real hosts (the
# integration tests twice: with no resident service, and with one serving the default socket).
#
# usage: test.sh [MAVEN-ARG...]        e.g. test.sh -Dmaven.repo.local=/tmp/m2
#
# As root, Maven runs in a private copy of the system (scripts/private-system.sh), where the tests
# may add a user, write /etc/pam.d and run sshd; afterwards this script checks that the machine's
# PAM configuration and user database are byte-identical to what they were before the run, and
# fails loudly if not. Maven reports every failing module (--fail-at-end).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_DIR"

bash scripts/install-deps.sh

# What the run must leave as it was: path, type, mode, owner and content of every file (or "absent").
watched=(/etc/pam.d /etc/security /etc/passwd /etc/shadow /etc/group /etc/gshadow /etc/subuid /etc/subgid)
machine_state() {
  local path
  for path in "${watched[@]}"; do
    if [ -e "$path" ]; then
      find "$path" -printf '%p %y %m %U:%G %l\n' | LC_ALL=C sort
      find "$path" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    else
      echo "$path absent"
    fi
  done
}
before=$(machine_state)
started=$(date +%s)

status=0
if [ "$(id -u)" -eq 0 ]; then
  bash scripts/private-system.sh mvn -B --fail-at-end install "$@" || status=$?
  # The integration tests again, now with a resident service serving the socket the shipped
  # pam_java.conf names, as on a systemd machine with the package installed: every suite must pass
  # with the service down (above) and up (issue 16).
  echo "test.sh: the integration tests with the resident service up (scripts/with-default-service.sh)"
  bash scripts/private-system.sh bash scripts/with-default-service.sh mvn -B -o --fail-at-end -pl pam-java-it verify "$@" \
    || status=$?
else
  echo "test.sh: not root: the tests that need root (real hosts, the resident service) are skipped"
  mvn -B --fail-at-end install "$@" || status=$?
fi

# The Debian package the build made: installed into a clean Debian root, used, removed, purged.
deb=$(ls packaging/target/pam-java_*_amd64.deb 2>/dev/null | head -n 1 || true)
if [ -n "$deb" ] && [ "$(stat -c %Y "$deb")" -ge "$started" ]; then
  # Its module-project check builds with this run's local Maven repository (plugins, JUnit),
  # named in MAVEN_OPTS or in test.sh's arguments (the later wins, as for Maven itself).
  # shellcheck disable=SC2086 # MAVEN_OPTS is a list of words, as Maven's launcher reads it
  for arg in ${MAVEN_OPTS:-} "$@"; do
    case $arg in -Dmaven.repo.local=*) export PAM_JAVA_TEST_M2=${arg#-Dmaven.repo.local=} ;; esac
  done
  bash scripts/test-deb.sh "$deb" || status=$?
else
  echo "test.sh: the build made no Debian package: test-deb.sh not run" >&2
  status=1
fi

after=$(machine_state)
if [ "$before" != "$after" ]; then
  echo "test.sh: FAIL: the run changed the machine's PAM configuration or user database:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
echo "test.sh: ${watched[*]} are as before the run"
exit "$status"
