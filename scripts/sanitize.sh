#!/usr/bin/env bash
# sanitize.sh: every integration test (pam-java-it) through the AddressSanitizer and
# UndefinedBehaviorSanitizer build of pam_java.so. The suite runs a representative part of them
# (SanitizedModuleTest); this is the whole of it.
#
# usage: sanitize.sh [MAVEN-ARG...]        e.g. sanitize.sh -Dmaven.repo.local=/tmp/m2 -Dtest='PamPython*'
#
# The test hosts preload libasan (they are not built with it) and every pam_java.so variant in
# pam-java-it/target/test-native-sanitized is a sanitizer build (PamTestBed.SANITIZE_ALL). A report
# fails the test that ran the host (PamTestBed reads the hosts' sanitizer-logs/), and any report
# left anywhere under pam-java-it/target/it-work fails the run. Not run: setuid hosts (the loader
# drops LD_PRELOAD: PamTestBed skips them) and the tests whose hosts PamTestBed does not start
# (su, sshd, pamtester, setuid copies run through su, jcmd's target, a host without /proc) or that cannot work under ASan (an
# address-space limit, a core dump), listed in `excluded`.
# As root the run is inside scripts/private-system.sh, as test.sh's is.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_DIR"

excluded='!RealHostsTest,!PamtesterTest,!SetuidHostTest,!SignalsAndFilesTest#noPerfDataNoAttachSocketAndJcmdCannotAttach'
excluded+=',!DescriptorLeakTest#withoutProcTheHostsDescriptorsAreFoundByTryingEachNumber'
excluded+='+theConnectionToTheResidentServiceDoesNotSurviveTheHostsExec+theShellSuStartsGetsOnlyTheDescriptorsSuWasGiven'
# ASan reserves terabytes of shadow memory: no address-space limit (ulimit -v), no core dump (gcore).
excluded+=',!HostOutlivesJavaTest#aJvmThatCannotStartUnderTheCallersLimitsIsAnErrorAndTheHostLives'
excluded+=',!SecretsTest#aTypedPasswordIsNotInTheHostsMemoryAfterPamEnd'
# pamtester, started by the test itself under a /dev/log of its own.
excluded+=',!ModuleLogsTest#pamtesterLogsTheSameRecordsInProcessAndThroughTheService'

mvn -B -q install -DskipTests "$@"
rm -rf pam-java-it/target/it-work
run=(mvn -B --fail-at-end -pl pam-java-it verify -Dpamjava.sanitize=1
     -Dpamjava.testNativeDir="$PROJECT_DIR/pam-java-it/target/test-native-sanitized"
     "-Dtest=$excluded" -Dsurefire.failIfNoSpecifiedTests=false "$@")
status=0
if [ "$(id -u)" -eq 0 ]; then
  bash scripts/private-system.sh "${run[@]}" || status=$?
else
  echo "sanitize.sh: not root: the tests that need root are skipped"
  "${run[@]}" || status=$?
fi
reports=$(find pam-java-it/target/it-work -path '*/sanitizer-logs/*' -type f 2>/dev/null || true)
if [ -n "$reports" ]; then
  echo "sanitize.sh: FAIL: sanitizer reports:" >&2
  for r in $reports; do echo "== $r" >&2; cat "$r" >&2; done
  exit 1
fi
echo "sanitize.sh: no sanitizer report"
exit "$status"
