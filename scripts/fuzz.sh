#!/usr/bin/env bash
# fuzz.sh: the fuzzers. C targets (pam-java-shim/fuzz, libFuzzer with ASan and UBSan):
#   resident  the resident client's frame decoder and its answers to the service's requests
#   config    the pam_java.conf parser
#   natives   the JNI natives: libpam's strings to Java byte[] and back
# and the Java fuzzers: every scripts/fuzz-java-NAME.sh, called as `fuzz-java-NAME.sh SECONDS`.
#
# usage: fuzz.sh [TARGET|c|all] [SECONDS]   fuzz TARGET (a C target or a Java NAME; default all) for
#                                           SECONDS each (default 300)
#        fuzz.sh --smoke [RUNS]             the suite's short run (pam-java-shim's test phase): each C
#                                           target replays its seeds, then RUNS inputs (default 4000)
#                                           with -seed=1; the same every time
#
# A long run keeps what it finds in pam-java-shim/target/fuzz/corpus/TARGET (the seeds in
# pam-java-shim/fuzz/corpus/TARGET stay as committed: copy an input there to keep it) and a crash in
# pam-java-shim/target/fuzz/artifacts/TARGET/; it prints executions and corpus size per target.
# Reproduce a crash: pam-java-shim/target/fuzz/fuzz_TARGET FILE. Exit status 1 if a target failed.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_DIR"

c_targets=(resident config natives)
fuzz=pam-java-shim/fuzz
out=pam-java-shim/target/fuzz
make -s -C "$fuzz"

# LeakSanitizer stays on: these processes hold no JVM.
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

status=0
if [ "${1:-}" = --smoke ]; then
  runs="${2:-4000}"
  for t in "${c_targets[@]}"; do
    work=$(mktemp -d)
    if "$out/fuzz_$t" -runs="$runs" -seed=1 -artifact_prefix="$work/" "$work" "$fuzz/corpus/$t" >"$work/log" 2>&1; then
      echo "fuzz.sh: $t: $(grep -o 'Done [0-9]* runs' "$work/log"), corpus $(ls "$work" | grep -vc '^log$') new inputs"
    else
      echo "fuzz.sh: $t FAILED:" >&2
      cat "$work/log" >&2
      status=1
    fi
    rm -rf "$work"
  done
  exit "$status"
fi

target="${1:-all}"
seconds="${2:-300}"
run_c() {
  local t=$1 corpus="$out/corpus/$1" artifacts="$out/artifacts/$1/" log
  mkdir -p "$corpus" "$artifacts"
  log=$(mktemp)
  if "$out/fuzz_$t" -max_total_time="$seconds" -artifact_prefix="$artifacts" -print_final_stats=1 \
       "$corpus" "$fuzz/corpus/$t" >"$log" 2>&1; then
    echo "fuzz.sh: $t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') executions" \
         "in $seconds s, corpus $(ls "$corpus" | wc -l) inputs ($(du -sb "$corpus" | cut -f1) bytes)," \
         "coverage $(grep -o 'cov: [0-9]*' "$log" | tail -n 1)"
  else
    echo "fuzz.sh: $t FAILED (inputs in $artifacts):" >&2
    tail -n 60 "$log" >&2
    status=1
  fi
  rm -f "$log"
}
run_java() {
  bash "$1" "$seconds" || { echo "fuzz.sh: $1 FAILED" >&2; status=1; }
}

case "$target" in
  all|c)
    for t in "${c_targets[@]}"; do run_c "$t"; done
    if [ "$target" = all ]; then
      for s in scripts/fuzz-java-*.sh; do [ -e "$s" ] && run_java "$s"; done
    fi ;;
  resident|config|natives) run_c "$target" ;;
  *)
    if [ -e "scripts/fuzz-java-$target.sh" ]; then
      run_java "scripts/fuzz-java-$target.sh"
    else
      echo "fuzz.sh: no target $target (C: ${c_targets[*]}; Java: scripts/fuzz-java-*.sh)" >&2
      exit 2
    fi ;;
esac
exit "$status"
