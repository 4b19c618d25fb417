#!/usr/bin/env bash
# Paired A/B of two reverse proxies in front of the same upstream: ours (`./concurrence run proxy`, ReverseProxy) and
# nginx (Debian's, `proxy_pass` with upstream keep-alive), for a machine shared with other work.
#
#   bench/scripts/proxy-ab.sh [--conns=100] [--pairs=6] [--seconds=5] [--path=/]
#
# The upstream is our HTTP hello (`./concurrence run http`: 200 "Hello World!" on any path) pinned to CPU 1 with wrk
# (-t1); each proxy is pinned to CPU 0 (one dispatcher; one nginx worker). After a warm-up of each, PAIRS back-to-back
# pairs per connection count (the order alternating) report req/s and the proxy's CPU time per request (from
# /proc/PID/stat: for nginx its worker), then the medians of the per-pair ratios ours/nginx. nginx keeps up to 128 idle
# upstream connections (`keepalive 128`, HTTP/1.1, `Connection ""`), logs nothing, and passes Host and the
# X-Forwarded-For field as commonly configured; ours runs with its defaults.
#
# Needs nginx (apt-get install nginx-light) and the examples built (./concurrence run help builds them; or
# ./mvnw -o -q -DskipTests package -pl examples -am dependency:build-classpath -Dmdep.outputFile=target/runtime.classpath
# -DincludeScope=runtime).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CONNS=100; PAIRS=6; SECONDS_=5; URLPATH=/
for arg in "$@"; do
  case "$arg" in
    --conns=*) CONNS="${arg#*=}" ;; --pairs=*) PAIRS="${arg#*=}" ;; --seconds=*) SECONDS_="${arg#*=}" ;;
    --path=*) URLPATH="${arg#*=}" ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done
command -v nginx >/dev/null || { echo "nginx is not installed: apt-get install nginx-light"; exit 1; }
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
CP="$ROOT/examples/target/classes:$(cat "$ROOT/examples/target/runtime.classpath")"
FLAGS=(--add-opens=java.base/java.lang=ALL-UNNAMED -XX:+UseCompactObjectHeaders -Djdk.trackAllThreads=false)
WORK="$(mktemp -d)"; TCK=$(getconf CLK_TCK)
UP_PORT=18180; OURS_PORT=18181; NGINX_PORT=18182
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

taskset -c 1 "$JAVA" "${FLAGS[@]}" -cp "$CP" org.concurrence.examples.Examples http --port "$UP_PORT" \
  > "$WORK/up.log" 2>&1 & PIDS+=($!)
taskset -c 0 "$JAVA" "${FLAGS[@]}" -cp "$CP" org.concurrence.examples.Examples proxy --port "$OURS_PORT" \
  --upstream "http://127.0.0.1:$UP_PORT" > "$WORK/ours.log" 2>&1 & OURS_PID=$!; PIDS+=($OURS_PID)
cat > "$WORK/nginx.conf" <<EOF
worker_processes 1;
worker_cpu_affinity 01;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
daemon on;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fcgi; uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  upstream up { server 127.0.0.1:$UP_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    keepalive_requests 100000;
    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
EOF
taskset -c 0 nginx -c "$WORK/nginx.conf" -p "$WORK"
for _ in $(seq 100); do grep -q 'listening' "$WORK/ours.log" 2>/dev/null && [[ -f "$WORK/nginx.pid" ]] && break; sleep 0.1; done
NGINX_WORKER=$(pgrep -P "$(cat "$WORK/nginx.pid")" | head -1)
curl -sf "http://127.0.0.1:$OURS_PORT$URLPATH" > /dev/null && curl -sf "http://127.0.0.1:$NGINX_PORT$URLPATH" > /dev/null \
  || { echo "a proxy does not answer"; cat "$WORK"/*.log; exit 1; }

cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
run() { # pid port conns secs -> "req/s proxy_us/req"
  local pid=$1 port=$2 c=$3 s=$4 t0 t1 out req
  sleep 0.5
  t0=$(cpu "$pid")
  out=$(taskset -c 1 wrk -t1 -c"$c" -d"$s"s "http://127.0.0.1:$port$URLPATH")
  t1=$(cpu "$pid")
  req=$(grep -oP '\d+(?= requests in)' <<<"$out")
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then echo "errors: $(grep 'Non-2xx\|Socket errors' <<<"$out")" >&2; fi
  awk -v a="$t0" -v b="$t1" -v r="$req" -v t="$TCK" -v rps="$(grep -oP '(?<=Requests/sec:)\s*[\d.]+' <<<"$out")" \
      'BEGIN { printf "%.0f %.2f\n", rps, (b-a)/t*1e6/r }'
}
for c in ${CONNS//,/ }; do run "$OURS_PID" "$OURS_PORT" "$c" 5 >/dev/null; run "$NGINX_WORKER" "$NGINX_PORT" "$c" 5 >/dev/null; done
run "$OURS_PID" "$OURS_PORT" 100 5 >/dev/null

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
echo "ours = ReverseProxy (pid $OURS_PID), nginx $(nginx -v 2>&1 | cut -d/ -f2) (worker $NGINX_WORKER); upstream: our http"\
  "hello on CPU 1 with wrk; ${SECONDS_} s runs, $PAIRS pairs; load $(cut -d' ' -f1 /proc/loadavg)"
for c in ${CONNS//,/ }; do
  : > "$WORK/rate"; : > "$WORK/cpu"
  for i in $(seq "$PAIRS"); do
    if (( i % 2 )); then ro=$(run "$OURS_PID" "$OURS_PORT" "$c" "$SECONDS_"); rn=$(run "$NGINX_WORKER" "$NGINX_PORT" "$c" "$SECONDS_")
    else rn=$(run "$NGINX_WORKER" "$NGINX_PORT" "$c" "$SECONDS_"); ro=$(run "$OURS_PID" "$OURS_PORT" "$c" "$SECONDS_"); fi
    read -r xo co <<<"$ro"; read -r xn cn <<<"$rn"
    printf "  c%-5s pair %d: ours %7d req/s %6.2f us/req   nginx %7d req/s %6.2f us/req\n" "$c" "$i" "$xo" "$co" "$xn" "$cn"
    awk -v a="$xo" -v b="$xn" 'BEGIN{print a/b}' >> "$WORK/rate"
    awk -v a="$co" -v b="$cn" 'BEGIN{print b/a}' >> "$WORK/cpu"
  done
  printf "c%s: ours/nginx req/s median %.2f×   per proxy core (inverse CPU per request) median %.2f×\n" \
    "$c" "$(median < "$WORK/rate")" "$(median < "$WORK/cpu")"
done
