#!/bin/bash
# The PAM configuration parser under the fuzzer with libpam as the oracle, for longer than the
# suite's fixed-seed run (ConfigParserFuzzTest in pam-java-stack): generated and mutated
# configurations, each run through Linux-PAM (pam_start_confdir, a forked child per case) and
# through the engine, every result compared. Needs gcc and libpam0g-dev; writes nothing outside
# pam-java-stack/target.
#
#   scripts/fuzz-java-config.sh [SECONDS]          Jazzer 0.26.0, coverage-guided (ConfigParserJazzerTest),
#                                                  SECONDS default 300 (as scripts/fuzz.sh calls every
#                                                  fuzz-java-NAME.sh); the corpus grows in
#                                                  pam-java-stack/.cifuzz-corpus, findings land as crash-*
#                                                  among its inputs in src/test/resources; ~800 executions/s
#   scripts/fuzz-java-config.sh --cases N [SEED]   the generator and mutator (ConfigParserFuzzTest) for N
#                                                  cases, a seed from the clock by default
#
# A difference fails the run and prints the first cases in full (files, both results, the
# engine's trace); add each as a RegressionCases entry once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
maven=(mvn -B -q ${MAVEN_REPO_LOCAL:+-Dmaven.repo.local="$MAVEN_REPO_LOCAL"} -pl pam-java-stack test
       -Dsurefire.failIfNoSpecifiedTests=false -DtrimStackTrace=false)
if [ "${1:-}" = "--cases" ]; then
    cases="${2:?usage: fuzz-java-config.sh --cases N [SEED]}"
    seed="${3:-$(date +%s)}"
    echo "fuzzing the config parser against libpam: $cases cases, seed $seed"
    exec "${maven[@]}" -Dtest=ConfigParserFuzzTest -Dpamjava.fuzz.cases="$cases" -Dpamjava.fuzz.seed="$seed"
fi
seconds="${1:-300}"
case "$seconds" in
    ''|*[!0-9]*) echo "usage: fuzz-java-config.sh [SECONDS] | --cases N [SEED]" >&2; exit 2 ;;
esac
echo "Jazzer on the config parser against libpam for $seconds s"
JAZZER_FUZZ=1 exec "${maven[@]}" -Dtest=ConfigParserJazzerTest -Djazzer.max_duration="${seconds}s"
