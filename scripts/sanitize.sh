#!/usr/bin/env bash
# sanitize.sh: every integration test (pam-java-it) through the AddressSanitizer and
# UndefinedBehaviorSanitizer build of pam_java.so. The suite runs a representative part of them
# (SanitizedModuleTest); this is the whole of it.
#
# usage: sanitize.sh [MAVEN-ARG...]        e.g. sanitize.sh -Dmaven.repo.local=/tmp/m2 -Dtest='PamPython*'
#
# The test hosts preload libasan (they are not built with it) and every pam_java.so variant in
# pam-java-it/target/test-native-sanitized is a sanitizer build (PamTestBed.SANITIZE_ALL). A report
# fails the test that ran the host (PamTestBed reads the hosts' sanitizer-logs/). Hosts the tests do
# not start through PamTestBed (setuid ones, where LD_PRELOAD does not reach; sshd, pamtester) use
# the ordinary module. As root the run is inside scripts/private-system.sh, as test.sh's is.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_DIR"

mvn -B -q install -DskipTests "$@"
run=(mvn -B --fail-at-end -pl pam-java-it verify -Dpamjava.sanitize=1
     -Dpamjava.testNativeDir="$PROJECT_DIR/pam-java-it/target/test-native-sanitized" "$@")
if [ "$(id -u)" -eq 0 ]; then
  bash scripts/private-system.sh "${run[@]}"
else
  echo "sanitize.sh: not root: the tests that need root are skipped"
  "${run[@]}"
fi
