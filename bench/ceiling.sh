#!/usr/bin/env bash
# How far the web stack alone is from the floor: the shared floor server, the bare Spring MVC ceiling
# (bench/mvc-ceiling: Spring Boot's Spring MVC on Tomcat, one controller that reads the body and answers a fixed
# document) and the service, on the same 2x10 cross-entropy request at concurrency 8, 127.0.0.1 only. After a
# warm-up of each, the three run in turn REPS times; the summary has the median 2xx/s, p50 and p99 of each and its
# ratio to the floor. The ceiling's ratio is the most any Spring MVC service on Tomcat reaches on this machine.
# Beside them, the same ceiling with the service's ND4J computation in each request (lossservice.bench.
# MvcComputeCeiling, one server per mode of COMPUTE_MODES, named compute-MODE): "pool" hands the 2x10 cross-entropy
# to a compute pool as the service does, "inline" runs it on the request's thread, "op-pool" and "op-inline" one
# ND4J operation instead, "serve" adds the service's JSON reader and writer; the most a service that computes with
# ND4J reaches with nothing else of its own (no limits, metrics, validation beyond the reader's).
#
#   FLOOR_JAR=/tmp/floor-server/target/null-server.jar bench/ceiling.sh      about 5 minutes
#   COMPUTE_MODES="op-inline op-pool inline pool" FLOOR_JAR=... bench/ceiling.sh
#
# Settings (environment): FLOOR_JAR (required: the shared floor's null-server.jar), SIZE (2x10), DURATION (s per run,
# 10), REPS (3), WARMUP (s per server, 20), CONCURRENCY (8), COMPUTE_MODES ("pool"; "" for none), SKIP_BUILD=1, OUT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

[ -n "${FLOOR_JAR:-}" ] || { log "FLOOR_JAR: the path of the shared floor server's null-server.jar"; exit 2; }
SIZE=${SIZE:-2x10}; DURATION=${DURATION:-10}; REPS=${REPS:-3}; WARMUP=${WARMUP:-20}; CONCURRENCY=${CONCURRENCY:-8}
OUT=${OUT:-$BENCH_ROOT/target/bench/ceiling-$(date +%Y%m%d-%H%M%S)}
COMPUTE_MODES=${COMPUTE_MODES-pool}
declare -A PORT=([floor]=18120 [ceiling]=18121 [service]=18122)
servers=(floor ceiling)
port=18123
for mode in $COMPUTE_MODES; do PORT[compute-$mode]=$port; servers+=("compute-$mode"); port=$(( port + 1 )); done
servers+=(service)
CEILING_JAR=$BENCH_ROOT/bench/mvc-ceiling/target/mvc-ceiling.jar

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools wrk curl
build
if [ "${SKIP_BUILD:-0}" != 1 ] || ! [ -f "$CEILING_JAR" ]; then
  log "building bench/mvc-ceiling"
  ./mvnw -o -q -B -f bench/mvc-ceiling/pom.xml -DskipTests package
fi
payloads "$OUT/payloads" "payload=$SIZE"
body=$OUT/payloads/payload.json

start_floor "${PORT[floor]}" "$OUT/floor.log"; floor_pid=$STARTED_PID
java -jar "$CEILING_JAR" --server.address=127.0.0.1 --server.port="${PORT[ceiling]}" >"$OUT/ceiling.log" 2>&1 &
ceiling_pid=$!; BENCH_PIDS+=("$ceiling_pid")
compute_pids=()
for mode in $COMPUTE_MODES; do
  OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} java -cp "$(bench_classpath)" lossservice.bench.MvcComputeCeiling "$mode" \
    --server.address=127.0.0.1 --server.port="${PORT[compute-$mode]}" >"$OUT/compute-$mode.log" 2>&1 &
  compute_pids+=("$!"); BENCH_PIDS+=("$!")
done
start_service "${PORT[service]}" "$OUT/service.log"; service_pid=$STARTED_PID
wait_floor "${PORT[floor]}" "$floor_pid"
wait_up "http://127.0.0.1:${PORT[service]}/actuator/health/readiness" "$service_pid"
deadline=$(( $(date +%s) + 60 ))
for server in "${servers[@]}"; do
  until curl -s -o /dev/null --max-time 1 -H 'Content-Type: application/json' --data-binary @"$body" \
      "http://127.0.0.1:${PORT[$server]}/v1/losses/cross-entropy"; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "$server did not start"; exit 1; }
    sleep 0.1
  done
done

post() {  # post SERVER SECONDS LOGFILE
  run_wrk "http://127.0.0.1:${PORT[$1]}/v1/losses/cross-entropy" "$body" "$CONCURRENCY" "$2" "$3"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

log "machine: $(machine_summary)"
for server in "${servers[@]}"; do
  post "$server" "$WARMUP" "$OUT/warm-$server.log" >/dev/null
  : >"$OUT/$server.results"
done
for rep in $(seq "$REPS"); do
  for server in "${servers[@]}"; do
    wait_idle "$floor_pid" "$ceiling_pid" "$service_pid" "${compute_pids[@]}"
    post "$server" "$DURATION" "$OUT/$server-$rep.log" >>"$OUT/$server.results"
  done
done
if grep -q 'status_errors=[1-9]' "$OUT"/*.results; then
  log "answers other than 2xx, see $OUT/*-[0-9].log"
fi

printf '%-18s %7s %10s %8s %8s %9s\n' server size "2xx/s" p50_ms p99_ms "x floor" | tee "$OUT/summary.txt"
floor_rps=$(while read -r line; do field rps "$line"; done <"$OUT/floor.results" | median)
for server in "${servers[@]}"; do
  read -r rps p50 p99 < <(for k in rps p50_us p99_us; do while read -r line; do field "$k" "$line"; done \
    <"$OUT/$server.results" | median; done | xargs)
  awk -v n="$server" -v s="$SIZE" -v r="$rps" -v a="$p50" -v b="$p99" -v f="$floor_rps" \
    'BEGIN { printf "%-18s %7s %10.1f %8.2f %8.2f %8.3fx\n", n, s, r, a / 1000, b / 1000, r / f }' \
    | tee -a "$OUT/summary.txt"
done
log "results in $OUT"
