#!/usr/bin/env bash
# fuzz-java-resident.sh: the longer, coverage-guided run of the resident service's frame decoder
# (Java side) under Jazzer; the suite runs the same target from a fixed seed for a few seconds
# (pam-java-resident ResidentFrameFuzzTest). The target is ResidentFrameFuzzTarget: any bytes an
# application sends give frames or a clean protocol error, never another exception, and cost
# allocation in proportion to the bytes that came.
#
#   bash scripts/fuzz-java-resident.sh [SECONDS]     default 300; -seed is fixed (14)
# Env: M2 (the Maven repository, default ~/.m2/repository), JAZZER_VERSION (default 0.26.0).
# Jazzer (com.code-intelligence:jazzer) is fetched from Maven Central into that repository. The
# corpus grows in pam-java-resident/target/fuzz-resident/corpus, seeded from the committed corpus
# (src/test/resources/org/pamjava/resident/resident-frames); a finding is written there as
# crash-* and fails the run.
set -euo pipefail
source "$(dirname "$0")/env.sh"
seconds=${1:-300}
repo=${M2:-$HOME/.m2/repository}
version=${JAZZER_VERSION:-0.26.0}
mvn_args=(-B -q -Dmaven.repo.local="$repo")
cd "$PROJECT_DIR"
work=pam-java-resident/target/fuzz-resident
mkdir -p "$work/corpus"
mvn "${mvn_args[@]}" -pl pam-java-api,pam-java-runtime install -DskipTests
mvn "${mvn_args[@]}" -pl pam-java-resident test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PROJECT_DIR/$work/classpath" -Dmdep.includeScope=test
mvn "${mvn_args[@]}" dependency:get -Dartifact="com.code-intelligence:jazzer:$version" >/dev/null
mvn "${mvn_args[@]}" dependency:get -Dartifact="com.code-intelligence:jazzer-api:$version" >/dev/null
jazzer="$repo/com/code-intelligence/jazzer/$version/jazzer-$version.jar"
jazzer="$jazzer:$repo/com/code-intelligence/jazzer-api/$version/jazzer-api-$version.jar"
cp -n pam-java-resident/src/test/resources/org/pamjava/resident/resident-frames/* "$work/corpus/"
classes=pam-java-resident/target/classes:pam-java-resident/target/test-classes
echo "== fuzzing ResidentFrameFuzzTarget for $seconds s (corpus $(ls "$work/corpus" | wc -l) inputs)"
cd "$work"
java -cp "$jazzer:$PROJECT_DIR/${classes//:/:$PROJECT_DIR/}:$(cat classpath)" com.code_intelligence.jazzer.Jazzer \
  --target_class=org.pamjava.resident.ResidentFrameFuzzTarget \
  --instrumentation_includes='org.pamjava.resident.**' \
  -seed=14 -max_len=8192 -max_total_time="$seconds" -print_final_stats=1 corpus
echo "== corpus now $(ls corpus | wc -l) inputs"
