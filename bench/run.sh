#!/usr/bin/env bash
# run.sh: the benchmark (bench/README.md): full PAM transactions through the real libpam with
# pam_permit, pam_exec, pam_python and pam_java (in-process and, as root, through the resident
# service), cold, warm and memory, variants interleaved in one run; a login storm (many host
# processes released at once, N = 1, 16, 64, 256); then the JMH microbenchmarks of the Java side; then
# the table, the issue's targets (met / not met) and the chart.
#
#   bash bench/run.sh            the full run: results in bench/results/ (latest.md, .json, .png)
#   bash bench/run.sh --smoke    a tiny run that checks everything works (the test suite's)
#   bash bench/run.sh --only storm   the login storm alone (its rounds, the table)
# Options: --rounds R --cold C --warm W --memory M --storm-sizes N,N,... (processes per storm)
#          --storm N (one size; 0: no storm) --no-storm --storm-threads T (the largest storm again
#          as N/T processes of T threads; 0: not) --out DIR --work DIR --no-jmh --no-chart
set -euo pipefail
args=("$@")
source "$(dirname "$0")/../scripts/env.sh"
bench="$PROJECT_DIR/bench"

rounds=10       # rounds; each runs every variant once, in an order that rotates
cold=5          # fresh processes per variant and round
warm=2000       # transactions per warm process: the first fifth (JIT compiling the call path) is dropped
warm_python=30  # pam_python restarts Python for every transaction
warm_exec=300   # pam_exec forks and execs four times per transaction
warm_http=300   # the HTTP modules (shared state or not) make a request to the local server per transaction
memory=11000    # transactions of the memory runs: 1,000 of warm-up (report.py's WARM_UP), 10,000 warm
                # (pam_python: memory_python, it grows ~2 MB each;
memory_python=200   # pam_exec: memory_exec, it forks and execs /bin/true four times each)
memory_exec=1000
storm_sizes=1,16,64,256  # host processes of each login storm, all released at once ("": no storm)
storm_threads=64    # then the largest storm's logins as threads: N/storm_threads processes of
                    # storm_threads threads each (0: not)
storm_full_rounds=64    # above this size, pam_python and pam_java in process run fewer rounds (storm_rounds)
only=           # "storm": the storm alone
jmh=1
chart=1
smoke=0
out="$bench/results"
work="$bench/target/work"
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 rounds=1 cold=2 warm=50 warm_python=10 warm_exec=10 warm_http=10 memory=50 memory_python=5 memory_exec=5 storm_sizes=1,10 storm_threads=5 jmh=0 chart=0 ;;
    --rounds) rounds=$2; shift ;;
    --cold) cold=$2; shift ;;
    --warm) warm=$2; warm_python=$(( $2 < warm_python ? $2 : warm_python ))
            warm_exec=$(( $2 < warm_exec ? $2 : warm_exec )); warm_http=$(( $2 < warm_http ? $2 : warm_http )); shift ;;
    --memory) memory=$2; memory_python=$(( $2 < memory_python ? $2 : memory_python ))
              memory_exec=$(( $2 < memory_exec ? $2 : memory_exec )); shift ;;
    --storm-sizes) storm_sizes=$2; shift ;;
    --storm) storm_sizes=$2; [ "$2" = 0 ] && storm_sizes=; shift ;;
    --storm-threads) storm_threads=$2; shift ;;
    --no-storm) storm_sizes= ;;
    --only) [ "$2" = storm ] || { echo "run.sh: --only takes storm" >&2; exit 2; }; only=$2; jmh=0 chart=0; shift ;;
    --out) out=$2; shift ;;
    --work) work=$2; shift ;;
    --no-jmh) jmh=0 ;;
    --no-chart) chart=0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
IFS=, read -r -a storm_list <<< "$storm_sizes"
for n in "${storm_list[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --storm-sizes takes process counts, e.g. 1,16,64,256" >&2; exit 2; }
done

dist="$PROJECT_DIR/dist"
pam_java="$dist/lib/security/pam_java.so"
pam_python=/lib/security/pam_python.so   # Debian's libpam-python
python=/usr/bin/python3                   # Debian's, for matplotlib from Debian's archive
if [ ! -e "$pam_java" ]; then
  [ "$smoke" = 0 ] || { echo "run.sh: $pam_java is missing: build first" >&2; exit 1; }
  echo "== building pam_java (dist/ is missing)"
  (cd "$PROJECT_DIR" && mvn -q -B install -DskipTests)
fi
[ -e "$pam_python" ] || { echo "run.sh: $pam_python is missing (scripts/install-deps.sh installs libpam-python)" >&2; exit 1; }

# Other builds may restage dist/ while this runs (and a shared object rewritten in place under a
# running process kills it with SIGBUS). As root, the full run measures a snapshot of dist/ instead,
# mounted over dist/ in a mount namespace of its own: same paths, so pam_java.so and its AOT cache
# work unchanged, and nothing outside the benchmark sees it.
dist_state() { stat -c '%n %Y' "$pam_java" "$dist"/share/pam-java/*.jar "$dist"/share/pam-java/*.aot 2>/dev/null; }
if [ "$smoke" = 0 ] && [ -z "${PAM_JAVA_BENCH_SNAPSHOT:-}" ] && [ "$(id -u)" = 0 ] \
   && unshare --mount --propagation private true 2>/dev/null; then
  snapshot="$bench/target/dist-snapshot"
  for try in 1 2 3 4 5; do
    state=$(dist_state)
    rm -rf "$snapshot"
    mkdir -p "$bench/target"
    cp -a "$dist" "$snapshot"
    [ "$(dist_state)" = "$state" ] && break
    sleep 5
  done
  echo "== measuring a snapshot of dist/ ($(date -u -r "$snapshot/lib/security/pam_java.so" +%H:%M:%SZ) build)"
  exec unshare --mount --propagation private env PAM_JAVA_BENCH_SNAPSHOT="$snapshot" \
    bash -c 'mount --bind "$PAM_JAVA_BENCH_SNAPSHOT" "$1" && shift && exec bash "$@"' \
    run.sh "$dist" "$0" "${args[@]}"
fi

work=$(realpath -m "$work")
out=$(realpath -m "$out")

# --- the host, the modules, one PAM service per variant ---------------------------------------
rm -rf "$work"
mkdir -p "$work/pam.d" "$work/modules" "$work/raw" "$out"
make -s -C "$bench" BUILD="$work" "$work/host"
host=("$work/host" --confdir "$work/pam.d" --user bench --answer bench-secret)

cp "$bench"/modules/*.java "$bench"/modules/*.py "$work/modules/"
api="$dist/share/pam-java/pam-java-api.jar"
mkdir -p "$work/classes"
"$JAVA_HOME/bin/javac" -nowarn -cp "$api" -d "$work/classes" "$work"/modules/*.java
for m in TrivialModule ConversingModule; do
  printf 'Pam-Module-Class: %s\n' "$m" > "$work/classes/$m.mf"
  "$JAVA_HOME/bin/jar" --create --file "$work/modules/$m.jar" --manifest "$work/classes/$m.mf" -C "$work/classes" "$m.class"
done

# The shared-state case (issue 17): a local HTTP endpoint the HTTP modules ask at each
# authenticate, answering "allow" (bench/HttpAllowServer.java), on a port the kernel picks.
resident_pid=
http_pid=
cleanup() {
  rc=$?
  [ -z "$resident_pid" ] || { kill "$resident_pid" 2>/dev/null || true; wait "$resident_pid" 2>/dev/null || true; rm -rf "$socket_dir"; }
  [ -z "$http_pid" ] || { kill "$http_pid" 2>/dev/null || true; wait "$http_pid" 2>/dev/null || true; }
  exit $rc
}
# The run's own exit status, not the stopped services', is the script's.
trap cleanup EXIT
"$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xmx64m "$bench/HttpAllowServer.java" "$work/raw/http-port" > "$work/raw/http-server.log" 2>&1 &
http_pid=$!
for ((i = 0; i < 300; i++)); do
  [ -s "$work/raw/http-port" ] && break
  kill -0 "$http_pid" 2>/dev/null || { cat "$work/raw/http-server.log"; exit 1; }
  sleep 0.1
done
[ -s "$work/raw/http-port" ] || { echo "run.sh: the local HTTP server did not start" >&2; exit 1; }
http_url="url=http://127.0.0.1:$(cat "$work/raw/http-port")/allow/"

# service name -> what its three rules (auth, account, session) run
declare -A rule=(
  [pam_permit]="pam_permit.so"
  [pam_exec]="pam_exec.so /bin/true"
  [python_trivial]="$pam_python $work/modules/trivial.py"
  [python_conv]="$pam_python $work/modules/conversing.py"
  [java_jar_trivial]="$pam_java $work/modules/TrivialModule.jar"
  [java_jar_conv]="$pam_java $work/modules/ConversingModule.jar"
  [java_src_trivial]="$pam_java $work/modules/TrivialModule.java"
  [java_src_conv]="$pam_java $work/modules/ConversingModule.java"
  [java_http_perhandle]="$pam_java $work/modules/HttpPerHandleModule.java $http_url"
  [java_http_shared]="$pam_java $work/modules/HttpSharedModule.java $http_url"
)
variants=(pam_permit pam_exec python_trivial python_conv java_jar_trivial java_jar_conv java_src_trivial java_src_conv
          java_http_perhandle java_http_shared)

# The resident service (root only, as in production): a pam_java.so variant whose pam_java.conf
# names the socket of a pam-java-resident started for this run.
if [ "$(id -u)" = 0 ]; then
  resident="$work/resident"
  socket_dir=/run/pam-java-bench.$$
  mkdir -p "$resident"
  make -s -C "$PROJECT_DIR/pam-java-shim" BUILD="$resident" CONF_FILE="$resident/pam_java.conf" "$resident/pam_java.so"
  printf 'resident_socket = %s/resident.sock\n' "$socket_dir" > "$resident/pam_java.conf"
  chmod 0644 "$resident/pam_java.conf"
  "$dist/bin/pam-java-resident" --config "$resident/pam_java.conf" > "$work/raw/resident-service.log" 2>&1 &
  resident_pid=$!
  for ((i = 0; i < 300; i++)); do
    [ -S "$socket_dir/resident.sock" ] && break
    kill -0 "$resident_pid" 2>/dev/null || { cat "$work/raw/resident-service.log"; exit 1; }
    sleep 0.1
  done
  [ -S "$socket_dir/resident.sock" ] || { echo "run.sh: the resident service did not start" >&2; exit 1; }
  rule[resident_jar_trivial]="$resident/pam_java.so $work/modules/TrivialModule.jar"
  rule[resident_jar_conv]="$resident/pam_java.so $work/modules/ConversingModule.jar"
  rule[resident_http_perhandle]="$resident/pam_java.so $work/modules/HttpPerHandleModule.java $http_url"
  rule[resident_http_shared]="$resident/pam_java.so $work/modules/HttpSharedModule.java $http_url"
  variants+=(resident_jar_trivial resident_jar_conv resident_http_perhandle resident_http_shared)
else
  echo "== not root: no resident-service variants (pam-java-resident runs as root only)"
fi
service_rss() { [ -n "$resident_pid" ] && ps -o rss= -p "$resident_pid" | tr -d ' '; }
for v in "${variants[@]}"; do
  printf 'auth    required %s\naccount required %s\nsession required %s\n' "${rule[$v]}" "${rule[$v]}" "${rule[$v]}" \
    > "$work/pam.d/$v"
done
is_python() { [[ $1 == python_* ]]; }
is_http() { [[ $1 == *_http_* ]]; }
# The host adds the service's CPU time to a resident variant's (bench/host.c, service_cpu_us).
service_of() { [[ $1 == resident_* ]] && echo "PAM_JAVA_BENCH_SERVICE_PID=$resident_pid" || echo "PAM_JAVA_BENCH_SERVICE_PID="; }

# --- machine and versions, for the report ------------------------------------------------------
{
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit=$(git -C "$PROJECT_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cores=$(nproc)"
  echo "memory_gib=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
  echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "kernel=$(uname -r)"
  echo "jdk=$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
  echo "libpam=$(dpkg-query -W -f='${Version}' libpam0g 2>/dev/null || echo unknown)"
  echo "pam_python=$(dpkg-query -W -f='${Version}' libpam-python 2>/dev/null || echo unknown)"
  echo "python=$(dpkg-query -W -f='${Version}' libpython3-stdlib 2>/dev/null || echo unknown)"
  echo "rounds=$rounds cold=$cold warm=$warm warm_python=$warm_python warm_exec=$warm_exec warm_http=$warm_http memory=$memory memory_python=$memory_python memory_exec=$memory_exec storm_sizes=${storm_sizes:-none} storm_threads=$storm_threads only=${only:-all}"
  echo "smoke=$smoke"
  echo "dist_built=$(date -u -r "$pam_java" +%Y-%m-%dT%H:%M:%SZ)"
  echo "dist_snapshot=$([ -n "${PAM_JAVA_BENCH_SNAPSHOT:-}" ] && echo yes || echo no)"
  echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$work/raw/machine.txt"

# Without the snapshot, other builds may restage dist/ during the run: then the figures mix two builds.
dist_before=$(dist_state)

# --- warm-up: every variant works, and .java modules are compiled into the cache (steady state)
echo "== warm-up: one transaction per variant"
for v in "${variants[@]}"; do
  "${host[@]}" warm 1 "$v" > "$work/raw/warmup-$v.txt" || { cat "$work/raw/warmup-$v.txt"; exit 1; }
done

rss_started=$(service_rss || true)

# --- rounds: variants alternate, so drift (other builds on the machine) hits all alike --------
if [ "$only" != storm ]; then
echo "== $rounds rounds of ${#variants[@]} variants: $cold cold processes and one warm process each"
n=${#variants[@]}
for ((r = 1; r <= rounds; r++)); do
  for ((k = 0; k < n; k++)); do
    v=${variants[$(( (k + r - 1) % n ))]}
    w=$warm; is_python "$v" && w=$warm_python; [ "$v" = pam_exec ] && w=$warm_exec; is_http "$v" && w=$warm_http
    env "$(service_of "$v")" "${host[@]}" cold "$cold" "$v" | sed "s/^/round=$r /" >> "$work/raw/cold.txt"
    env "$(service_of "$v")" "${host[@]}" warm "$w" "$v" | sed "s/^/round=$r /" >> "$work/raw/warm.txt"
  done
  printf '   round %d/%d done\n' "$r" "$rounds"
done
if grep -h '^round=[0-9]* fail' "$work/raw/cold.txt" "$work/raw/warm.txt"; then
  echo "run.sh: a transaction failed (above)" >&2
  exit 1
fi

rss_rounds=$(service_rss || true)
fi

# --- the login storm: for each size N, N host processes released at once (bench/storm.c), each
# one full transaction, as a burst of sshd/su logins is; the trivial module, interleaved rounds as
# above. Above $storm_full_rounds processes, the variants that start an interpreter or a JVM in every
# process (pam_python, pam_java in process) run fewer rounds, rounds x $storm_full_rounds / N (at least 3;
# 3 at 256): there one storm takes 10-25 s on two cores and holds 2.5 GB (pam_python) or 8 GB (a
# JVM each), they are there for comparison (no target is theirs), and one storm of 256 already has
# 256 processes to take percentiles from; a storm is skipped (a line in the table says so) when the
# machine has less memory available than such a storm needs. Then, unless --storm-threads 0,
# the largest storm's logins as threads of fewer processes (a daemon authenticating many users at
# once); pam_python is left out there: its interpreter is not made for concurrent handles in one
# process (every such transaction fails). A failure does not stop the run: the table's row says so,
# and the run's exit status is then 1. A storm still running after 300 s is killed (its processes fail).
storm_rounds() {  # rounds of the storms of $1 processes of variant $2
  local r=$rounds
  if [ "$1" -gt "$storm_full_rounds" ] && [[ $2 == python_* || $2 == java_* ]]; then
    r=$(( rounds * storm_full_rounds / $1 )); [ "$r" -ge 3 ] || r=3; [ "$r" -le "$rounds" ] || r=$rounds
  fi
  echo "$r"
}
# What a storm needs to be run at all (MB per process, twice what it takes, and per threaded one):
# no OOM killer on a machine that others share.
storm_mb() { case $1 in java_*) echo 70 ;; python_*) echo 24 ;; *) echo 6 ;; esac; }
storm_mb_thread=100
storm_failed=0
if [ "${#storm_list[@]}" -gt 0 ]; then
  storm_variants=(pam_permit python_trivial java_jar_trivial)
  [ -n "$resident_pid" ] && storm_variants+=(resident_jar_trivial)
  largest=$(printf '%s\n' "${storm_list[@]}" | sort -n | tail -n 1)
  threaded_variants=()
  [ "$storm_threads" -le "$largest" ] || storm_threads=0   # not even one process of them
  if [ "$storm_threads" -gt 0 ]; then
    threaded_variants=(pam_permit java_jar_trivial)
    [ -n "$resident_pid" ] && threaded_variants+=(resident_jar_trivial)
  fi
  echo "== login storm: ${#storm_variants[@]} variants, N = $storm_sizes processes released at once," \
       "$(for n in "${storm_list[@]}"; do printf '%s rounds at %s (pam_python, in process: %s), ' "$rounds" "$n" "$(storm_rounds "$n" java_)"; done)" \
       "$([ "$storm_threads" -gt 0 ] && echo "then $(( largest / storm_threads )) processes of $storm_threads threads")"
  for ((r = 1; r <= rounds; r++)); do
    for n in "${storm_list[@]}"; do
      storm_runs=()
      for v in "${storm_variants[@]}"; do
        [ "$r" -gt "$(storm_rounds "$n" "$v")" ] || storm_runs+=("1 $n $v")
      done
      if [ "$n" = "$largest" ]; then
        for v in "${threaded_variants[@]}"; do storm_runs+=("$storm_threads $(( n / storm_threads )) $v"); done
      fi
      k_max=${#storm_runs[@]}
      for ((k = 0; k < k_max; k++)); do
        read -r t p v <<< "${storm_runs[$(( (k + r - 1) % k_max ))]}"
        need=$(( p * t > p ? p * storm_mb_thread : p * $(storm_mb "$v") ))
        available=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
        if [ "$available" -lt "$need" ]; then
          echo "round=$r stormskip service=$v processes=$p threads=$t need_mb=$need available_mb=$available" >> "$work/raw/storm.txt"
          echo "   skipped: $v, $p processes of $t threads: $need MB needed, $available MB available" >&2
          continue
        fi
        env "$(service_of "$v")" "${host[@]}" --threads "$t" storm "$p" "$v" | sed "s/^/round=$r /" >> "$work/raw/storm.txt"
      done
    done
    printf '   storm round %d done\n' "$r"
  done
  if grep ' storm ' "$work/raw/storm.txt" | grep -v ' failures=0 '; then
    echo "run.sh: login-storm transactions failed (above)" >&2
    storm_failed=1
  fi
fi
rss_storm=$(service_rss || true)

if [ "$only" != storm ]; then

# --- memory: RSS after 1, 10, 100, ... N transactions in one process --------------------------
echo "== memory: $memory transactions per process ($memory_python for pam_python, $memory_exec for pam_exec)"
for v in "${variants[@]}"; do
  is_http "$v" && continue   # the shared-state case is timed in the rounds only
  m=$memory; is_python "$v" && m=$memory_python; [ "$v" = pam_exec ] && m=$memory_exec
  "${host[@]}" memory "$m" "$v" >> "$work/raw/memory.txt"
done
fi
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/raw/machine.txt"
if [ -n "$resident_pid" ] && [ "$only" != storm ]; then
  echo "resident_service_rss_kb=$rss_started $rss_rounds $(service_rss)" >> "$work/raw/machine.txt"
fi
if [ -n "$resident_pid" ] && [ "${#storm_list[@]}" -gt 0 ]; then
  echo "resident_service_rss_storm_kb=$rss_storm" >> "$work/raw/machine.txt"
fi
if [ "$(dist_state)" != "$dist_before" ]; then
  echo "warning=dist/ was rebuilt during the run: the figures mix two builds" >> "$work/raw/machine.txt"
  echo "run.sh: WARNING: dist/ was rebuilt during the run; run again on a quiet machine" >&2
fi

# --- JMH: the Java side alone (dispatch, module loading, the stack engine) ---------------------
if [ "$jmh" = 1 ]; then
  echo "== JMH microbenchmarks (bench/jmh)"
  mvn -q -B -f "$bench/jmh/pom.xml" package
  "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -jar "$bench/jmh/target/pam-java-jmh.jar" \
    -f 1 -wi 2 -w 1s -i 3 -r 1s \
    -rf json -rff "$work/raw/jmh.json" > "$work/raw/jmh.txt"
  tail -n 20 "$work/raw/jmh.txt"
fi

# --- the table and the chart ------------------------------------------------------------------
chart_args=()
if [ "$chart" = 1 ]; then
  if ! "$python" -c 'import matplotlib' 2>/dev/null; then
    echo "== installing python3-matplotlib (Debian) for the chart"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-matplotlib >/dev/null
  fi
  chart_args=(--chart "$out/latest.png")
fi
"$python" "$bench/report.py" --raw "$work/raw" --md "$out/latest.md" --json "$out/latest.json" "${chart_args[@]}"
echo "== results: $out/latest.md"
cat "$out/latest.md"
[ "$storm_failed" = 0 ]
