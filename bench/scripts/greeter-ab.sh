#!/usr/bin/env bash
# Paired A/B of two greeter servers under wrk, for a machine shared with other work (where single runs move ±20 %).
#
#   bench/scripts/greeter-ab.sh [--conns=100,1000] [--pairs=6] [--seconds=5] [--syscalls] [--a=OurGreeter]
#                               [--b=NettyGreeter] [--a-jvm="FLAGS"] [--b-jvm="FLAGS"] [--path=/] [--c=NettyHttp]
#   A_ROOT=DIR B_ROOT=DIR C_ROOT=DIR (environment): take a server's classes from another checkout's build (default:
#   this one)
#
# Both servers are child JVMs pinned to CPU 0 (taskset, the flags ServerChild uses), wrk -t1 on CPU 1, as in
# `./concurrence bench greeter`. After the same warm-up as the bench, it runs PAIRS back-to-back pairs per connection
# count (the order alternates within pairs) and reports, per pair, req/s and CPU time per request of the server
# (from /proc/PID/stat) and of wrk (from /usr/bin/time), then the median of the per-pair ratios A/B. A ratio of
# paired runs cancels most of the drift that other processes cause; CPU per request stays meaningful when the
# server did not get its whole core. --syscalls adds, per server, system calls per request (perf stat tracepoints).
# Also for the HTTP servers: --a=OurHttp --b=NettyHttp --path=/json. Before/after a change: build the old commit in a
# second worktree and run with A_ROOT or B_ROOT pointing at it (both sides --a=OurHttp --b=OurHttp); --c adds a third
# server (a peer such as NettyHttp) to every pair, the three in rotating order, and reports A/C and B/C as well.
#
# Needs the bench module built (./concurrence bench help builds it; or ./mvnw -o -q -DskipTests package -pl bench
# -am dependency:build-classpath -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
URLPATH=/; CONNS=100,1000; PAIRS=6; SECONDS_=5; SYSCALLS=0; A=OurGreeter; B=NettyGreeter; A_JVM=""; B_JVM=""; C=""
for arg in "$@"; do
  case "$arg" in
    --conns=*) CONNS="${arg#*=}" ;; --pairs=*) PAIRS="${arg#*=}" ;; --seconds=*) SECONDS_="${arg#*=}" ;;
    --syscalls) SYSCALLS=1 ;; --a=*) A="${arg#*=}" ;; --b=*) B="${arg#*=}" ;;
    --a-jvm=*) A_JVM="${arg#*=}" ;; --b-jvm=*) B_JVM="${arg#*=}" ;; --path=*) URLPATH="${arg#*=}" ;;
    --c=*) C="${arg#*=}" ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
A_ROOT=${A_ROOT:-$ROOT}; B_ROOT=${B_ROOT:-$ROOT}; C_ROOT=${C_ROOT:-$ROOT}
cpof() { echo "$1/bench/target/classes:$(cat "$1/bench/target/runtime.classpath")"; }
WORK="$(mktemp -d)"; TCK=$(getconf CLK_TCK)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

start() { # name class jvmflags -> sets SPID and SPORT (not in a subshell: it must keep the server's stdin open)
  local name=$1 cls=$2 flags=$3 cp=$4
  mkfifo "$WORK/$name.in"
  # shellcheck disable=SC2086
  taskset -c 0 "$JAVA" --add-opens=java.base/java.lang=ALL-UNNAMED -XX:+UseCompactObjectHeaders \
    -Djdk.trackAllThreads=false --enable-native-access=ALL-UNNAMED -Xms32m -Xmx1g $flags -cp "$cp" \
    "org.concurrence.bench.$cls" --dispatchers=1 < "$WORK/$name.in" > "$WORK/$name.out" 2> "$WORK/$name.err" &
  PIDS+=($!)
  exec {fd}> "$WORK/$name.in" # keeps the server's stdin open; it exits when this script does
  for _ in $(seq 100); do grep -q READY "$WORK/$name.out" 2>/dev/null && break; sleep 0.1; done
  read -r SPID SPORT < <(sed -n 's/^READY port=\([0-9]*\) pid=\([0-9]*\).*/\2 \1/p' "$WORK/$name.out")
}
start a "$A" "$A_JVM" "$(cpof $A_ROOT)"; APID=$SPID; APORT=$SPORT
start b "$B" "$B_JVM" "$(cpof $B_ROOT)"; BPID=$SPID; BPORT=$SPORT
if [[ -n "$C" ]]; then start c "$C" "" "$(cpof $C_ROOT)"; CPID=$SPID; CPORT=$SPORT; fi
[[ -n "${APORT:-}" && -n "${BPORT:-}" && ( -z "$C" || -n "${CPORT:-}" ) ]] || { echo "a server did not start:"; cat "$WORK"/*.err; exit 1; }

cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
run() { # pid port conns secs -> "req/s server_us/req client_us/req"
  local pid=$1 port=$2 c=$3 s=$4 t0 t1 out req
  sleep 0.5
  t0=$(cpu "$pid")
  out=$( { /usr/bin/time -f "TIME %U %S" taskset -c 1 wrk -t1 -c"$c" -d"$s"s "http://127.0.0.1:$port$URLPATH"; } 2>&1 )
  t1=$(cpu "$pid")
  req=$(grep -oP '\d+(?= requests in)' <<<"$out")
  awk -v a="$t0" -v b="$t1" -v r="$req" -v t="$TCK" -v rps="$(grep -oP '(?<=Requests/sec:)\s*[\d.]+' <<<"$out")" \
      -v cl="$(grep TIME <<<"$out" | awk '{print $2+$3}')" \
      'BEGIN { printf "%.0f %.2f %.2f\n", rps, (b-a)/t*1e6/r, cl*1e6/r }'
}
warm() { run "$1" "$2" 100 5 >/dev/null; run "$1" "$2" 1000 5 >/dev/null; run "$1" "$2" 1000 5 >/dev/null; }
warm "$APID" "$APORT"; warm "$BPID" "$BPORT"; if [[ -n "$C" ]]; then warm "$CPID" "$CPORT"; fi

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
echo "A = $A (pid $APID), B = $B (pid $BPID); wrk -t1, ${SECONDS_} s runs, $PAIRS pairs per load; load $(cut -d' ' -f1 /proc/loadavg)"
for c in ${CONNS//,/ }; do
  : > "$WORK/rate"; : > "$WORK/cpu"; : > "$WORK/ac"; : > "$WORK/bc"
  for i in $(seq "$PAIRS"); do
    if [[ -n "$C" ]]; then
      case $(( i % 3 )) in
        1) ra=$(run "$APID" "$APORT" "$c" "$SECONDS_"); rb=$(run "$BPID" "$BPORT" "$c" "$SECONDS_"); rc=$(run "$CPID" "$CPORT" "$c" "$SECONDS_") ;;
        2) rc=$(run "$CPID" "$CPORT" "$c" "$SECONDS_"); rb=$(run "$BPID" "$BPORT" "$c" "$SECONDS_"); ra=$(run "$APID" "$APORT" "$c" "$SECONDS_") ;;
        0) rb=$(run "$BPID" "$BPORT" "$c" "$SECONDS_"); rc=$(run "$CPID" "$CPORT" "$c" "$SECONDS_"); ra=$(run "$APID" "$APORT" "$c" "$SECONDS_") ;;
      esac
    elif (( i % 2 )); then ra=$(run "$APID" "$APORT" "$c" "$SECONDS_"); rb=$(run "$BPID" "$BPORT" "$c" "$SECONDS_")
    else rb=$(run "$BPID" "$BPORT" "$c" "$SECONDS_"); ra=$(run "$APID" "$APORT" "$c" "$SECONDS_"); fi
    read -r xa ca wa <<<"$ra"; read -r xb cb wb <<<"$rb"
    printf "  c%-5s pair %d: A %7d req/s %5.2f us/req (wrk %5.2f)   B %7d req/s %5.2f us/req (wrk %5.2f)" \
      "$c" "$i" "$xa" "$ca" "$wa" "$xb" "$cb" "$wb"
    if [[ -n "$C" ]]; then
      read -r xc cc wc <<<"$rc"
      printf "   C %7d req/s %5.2f us/req (wrk %5.2f)" "$xc" "$cc" "$wc"
      awk -v a="$ca" -v b="$cc" 'BEGIN{print b/a}' >> "$WORK/ac"
      awk -v a="$cb" -v b="$cc" 'BEGIN{print b/a}' >> "$WORK/bc"
    fi
    echo
    awk -v a="$xa" -v b="$xb" 'BEGIN{print a/b}' >> "$WORK/rate"
    awk -v a="$ca" -v b="$cb" 'BEGIN{print b/a}' >> "$WORK/cpu"
  done
  printf "c%s: A/B req/s median %.2f×   A/B per server core (inverse CPU per request) median %.2f×\n" \
    "$c" "$(median < "$WORK/rate")" "$(median < "$WORK/cpu")"
  if [[ -n "$C" ]]; then
    printf "c%s: per server core vs C: A/C median %.2f×   B/C median %.2f×\n" "$c" "$(median < "$WORK/ac")" \
      "$(median < "$WORK/bc")"
  fi
done
if (( SYSCALLS )); then
  for c in ${CONNS//,/ }; do
    for side in A B; do
      if [[ $side == A ]]; then pid=$APID; port=$APORT; else pid=$BPID; port=$BPORT; fi
      perf stat -x, -e raw_syscalls:sys_enter -p "$pid" -o "$WORK/ps" & pp=$!
      out=$(taskset -c 1 wrk -t1 -c"$c" -d3s "http://127.0.0.1:$port$URLPATH")
      kill -INT $pp; wait $pp || true
      req=$(grep -oP '\d+(?= requests in)' <<<"$out")
      awk -F, -v r="$req" -v s="$side" -v c="$c" '$1 ~ /^[0-9]+$/ {printf "c%s %s: %.3f system calls per request\n", c, s, $1/r}' "$WORK/ps"
    done
  done
fi
