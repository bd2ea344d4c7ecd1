#!/usr/bin/env bash
# check-layers.sh SRC_DIR OBJ_DIR: pam_java.so's C layers, checked (`make check`; the build's test phase).
#
#   0  entry and dispatch       pam_java
#   1  the two paths            inprocess | resident
#   2  their machinery          workers, jvm, jvm_options, jvm_signals, natives, nss (its NSS lookups) | wire, requests, connection
#   3  what both use            services (the libpam services), config (+ the trust walk), log,
#                               clock (+ spinning), spin (its back-off), stops (SIGCONT), environment, descriptors, startup, op (types)
#
# A file's part is its name without .c/.h. Fails (exit 1, every finding printed) when:
#  - a part is not in the table above (a new file must be given its layer here);
#  - a file has 500 lines or more;
#  - an #include "..." or a symbol one object uses from another (nm) goes up a layer;
#  - the parts' include graph or their symbol graph has a cycle (within a layer too);
#  - an object defines a global data symbol (state is static to its file: pass it, or use accessors);
#  - an object defines a global function no other object uses (it should be static), but pam_sm_*.
set -uo pipefail
src=${1:?usage: check-layers.sh SRC_DIR OBJ_DIR}
obj=${2:?usage: check-layers.sh SRC_DIR OBJ_DIR}

declare -A layer=(
  [pam_java]=0
  [inprocess]=1 [resident]=1
  [workers]=2 [jvm]=2 [jvm_options]=2 [jvm_signals]=2 [natives]=2 [nss]=2 [wire]=2 [requests]=2 [connection]=2
  [services]=3 [config]=3 [log]=3 [clock]=3 [spin]=3 [stops]=3 [environment]=3 [descriptors]=3 [startup]=3 [op]=3
)
status=0
fail() { echo "check-layers: $*" >&2; status=1; }
part() { local b; b=$(basename "$1"); echo "${b%.*}"; }

# Checks edges "from to why" (one a line) of one graph: direction, then cycles (tsort).
check_graph() {
  local name=$1 edges=$2 from to why
  while read -r from to why; do
    [ -z "$from" ] && continue
    if [ "${layer[$to]}" -lt "${layer[$from]}" ]; then
      fail "$name: $from (layer ${layer[$from]}) uses $to (layer ${layer[$to]}), a layer above it: $why"
    fi
  done <<<"$edges"
  local loop
  if ! loop=$(cut -d' ' -f1,2 <<<"$edges" | grep . | tsort 2>&1 >/dev/null); then
    fail "$name graph has a cycle: $(tr '\n' ' ' <<<"$loop")"
  fi
}

for f in "$src"/*.c "$src"/*.h; do
  p=$(part "$f")
  [ -n "${layer[$p]:-}" ] || fail "$f: part $p has no layer in check-layers.sh"
  n=$(wc -l <"$f")
  [ "$n" -lt 500 ] || fail "$f has $n lines (each file must have fewer than 500)"
done
[ "$status" -eq 0 ] || exit 1

includes=$(for f in "$src"/*.c "$src"/*.h; do
  p=$(part "$f")
  sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | while read -r h; do
    q=$(part "$h")
    [ -n "${layer[$q]:-}" ] || { echo "UNKNOWN $q $f"; continue; }
    [ "$p" != "$q" ] && echo "$p $q $(basename "$f") includes $h"
  done
done | sort -u)
if grep -q '^UNKNOWN' <<<"$includes"; then
  fail "includes of files that are not parts: $(grep '^UNKNOWN' <<<"$includes" | tr '\n' ' ')"
  includes=$(grep -v '^UNKNOWN' <<<"$includes")
fi
check_graph includes "$includes"

declare -A definer=()
defs=""
for o in "$obj"/*.o; do
  p=$(part "$o")
  [ -n "${layer[$p]:-}" ] || fail "$o: part $p has no layer in check-layers.sh"
  while read -r type sym; do
    case "$type" in
      T|W|i) definer[$sym]=$p; defs+="$p $sym"$'\n' ;;
      *) fail "$o defines the global data symbol $sym ($type): state stays static to its file" ;;
    esac
  done < <(nm -g --defined-only "$o" | awk 'NF == 3 { print $2, $3 }')
done
uses=$(for o in "$obj"/*.o; do
  p=$(part "$o")
  nm -u "$o" | awk '{ print $NF }' | while read -r sym; do
    q=${definer[$sym]:-}
    [ -n "$q" ] && [ "$q" != "$p" ] && echo "$p $q calls $sym"
  done
done | sort -u)
check_graph symbols "$uses"
while read -r p sym; do
  [ -z "$p" ] && continue
  case "$sym" in pam_sm_*) continue ;; esac
  grep -q " calls $sym\$" <<<"$uses" || fail "$p.o defines $sym, which no other object uses: make it static"
done <<<"$defs"

if [ "$status" -eq 0 ]; then
  echo "check-layers: $(ls "$src"/*.c | wc -l) files in 4 layers; includes and calls go down only, no cycle," \
       "no shared global data, every file under 500 lines"
fi
exit "$status"
