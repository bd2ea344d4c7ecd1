#!/bin/bash
# The PAM configuration parser under the fuzzer with libpam as the oracle, for longer than the
# suite's fixed-seed run (ConfigParserFuzzTest in pam-java-stack): generated and mutated
# configurations, each run through Linux-PAM (pam_start_confdir, a forked child per case) and
# through the engine, every result compared. Needs gcc and libpam0g-dev; writes nothing outside
# pam-java-stack/target.
#
#   scripts/fuzz-java-config.sh [CASES [SEED]]     (default 100000 cases, a seed from the clock)
#   scripts/fuzz-java-config.sh --jazzer [DURATION] (Jazzer 0.26.0, coverage-guided, ConfigParserJazzerTest,
#                                                    DURATION such as 5m, default 10m, its maxDuration;
#                                                    the corpus grows in pam-java-stack/.cifuzz-corpus,
#                                                    findings land as crash-* among its inputs in
#                                                    src/test/resources; about 800 executions/s)
#
# A difference fails the run and prints the first cases in full (files, both results, the
# engine's trace); add each as a RegressionCases entry once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--jazzer" ]; then
    source scripts/env.sh
    duration="${2:-10m}"
    echo "Jazzer on the config parser against libpam for $duration"
    JAZZER_FUZZ=1 exec mvn -B -q ${MAVEN_REPO_LOCAL:+-Dmaven.repo.local="$MAVEN_REPO_LOCAL"} -pl pam-java-stack test \
        -Dtest=ConfigParserJazzerTest -Dsurefire.failIfNoSpecifiedTests=false -DtrimStackTrace=false \
        -Djazzer.max_duration="$duration"
fi
cases="${1:-100000}"
seed="${2:-$(date +%s)}"
source scripts/env.sh
echo "fuzzing the config parser against libpam: $cases cases, seed $seed"
exec mvn -B -q ${MAVEN_REPO_LOCAL:+-Dmaven.repo.local="$MAVEN_REPO_LOCAL"} -pl pam-java-stack test \
    -Dtest=ConfigParserFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dpamjava.fuzz.cases="$cases" -Dpamjava.fuzz.seed="$seed" -DtrimStackTrace=false
