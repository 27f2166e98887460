#!/usr/bin/env bash
# Load test: the service against the floor server (bench/README or BENCHMARKS.md), on 127.0.0.1 only.
#
#   bench/load.sh              about 25 minutes: 4 sizes x concurrency 1, 8, 64, each cell run
#                              service-floor, floor-service, service-floor (alternating) for 10 s per run
#   CONCURRENCY=8 FLOOR_JAR=/tmp/floor-server/target/null-server.jar V2_SIZES=small bench/load.sh
#                              about 9 minutes: concurrency 8 against the shared floor, V2 binary at 2x10 too
#   QUICK=1 bench/load.sh      about 4 minutes: 3 s per run, one service-floor pair per cell
#
# Settings (environment): DURATION (s per run), REPS (3; 1: service-floor; 2: ABBA; 3: ABBAAB), WARMUP (s per size and
# server), SIZES ("small medium large xlarge"), CONCURRENCY ("1 8 64"), SERVICE_PORT, FLOOR_PORT,
# WRK_THREADS (1), WRK_TIMEOUT (30 s), FLOOR_THREADS (200), SKIP_BUILD=1, OUT (results directory), FLOOR_JAR (the
# shared reference floor's null-server.jar instead of lossservice.bench.FloorServer), V2_SIZES (sizes at which the
# service's binary Open Inference Protocol endpoint, the same request as tritonclient.http sends it, runs as a third
# contender "service-v2" in the same alternation; none by default).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

if [ "${QUICK:-0}" = 1 ]; then
  DURATION=${DURATION:-3}; REPS=${REPS:-1}; WARMUP=${WARMUP:-10}
else
  # The service's JIT compilers are still busy after 45 s of small requests (profiled: 29% of its CPU time),
  # the floor's much smaller code settles in seconds: 20 s per size and server before any measurement.
  DURATION=${DURATION:-10}; REPS=${REPS:-3}; WARMUP=${WARMUP:-20}
fi
SIZES=${SIZES:-"small medium large xlarge"}
CONCURRENCY=${CONCURRENCY:-"1 8 64"}
SERVICE_PORT=${SERVICE_PORT:-18080}
FLOOR_PORT=${FLOOR_PORT:-18081}
OUT=${OUT:-$BENCH_ROOT/target/bench/load-$(date +%Y%m%d-%H%M%S)}
PATH_=/v1/losses/cross-entropy
V2_SIZES=${V2_SIZES:-}
declare -A SHAPE=([small]=2x10 [medium]=32x1000 [large]=256x1000 [xlarge]=2048x1000)

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools wrk curl
build
log "payloads"
args=()
for size in $SIZES; do args+=("$size=${SHAPE[$size]}"); done
payloads "$OUT/payloads" "${args[@]}"
v2_args=()
for size in $V2_SIZES; do v2_args+=("$size=${SHAPE[$size]}"); done
if [ ${#v2_args[@]} -gt 0 ]; then
  java -cp "$(bench_classpath)" lossservice.bench.InferencePayloads "$OUT/payloads" "${v2_args[@]}" >&2
fi

started=$(date +%s)
start_service "$SERVICE_PORT" "$OUT/service.log"; service_pid=$STARTED_PID
start_floor "$FLOOR_PORT" "$OUT/floor.log"; floor_pid=$STARTED_PID
wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$service_pid"
wait_floor "$FLOOR_PORT" "$floor_pid"
log "both servers are up ($(( $(date +%s) - started )) s)"
rss_before=$(rss_mib "$service_pid")

declare -A URL=([service]="http://127.0.0.1:$SERVICE_PORT$PATH_" [floor]="http://127.0.0.1:$FLOOR_PORT$PATH_")
# Both servers must answer the same request with 200 and a response of about the same size.
for size in $SIZES; do
  for server in service floor; do
    read -r code bytes < <(curl -sS -o /dev/null -w '%{http_code} %{size_download}\n' --max-time 120 \
      -H 'Content-Type: application/json' --data-binary "@$OUT/payloads/$size.json" "${URL[$server]}")
    echo "$size $server $code $bytes" >>"$OUT/responses.txt"
    [ "$code" = 200 ] || { log "$server answered $code to the $size payload"; exit 1; }
  done
done
log "response sizes (bytes): $(awk '{ printf "%s %s %s; ", $1, $2, $4 }' "$OUT/responses.txt")"

# contend SERVER SIZE CONNECTIONS SECONDS LOGFILE: one run against "service", "floor" or "service-v2".
contend() {
  if [ "$1" = service-v2 ]; then
    run_wrk_v2 "http://127.0.0.1:$SERVICE_PORT/v2/models/cross-entropy/infer" "$OUT/payloads/$2.v2" "$3" "$4" "$5"
  else
    run_wrk "${URL[$1]}" "$OUT/payloads/$2.json" "$3" "$4" "$5"
  fi
}

log "warm-up: ${WARMUP} s per size and server at concurrency 8"
for size in $SIZES; do
  contenders="service floor"; [[ " $V2_SIZES " == *" $size "* ]] && contenders="service floor service-v2"
  for server in $contenders; do
    contend "$server" "$size" 8 "$WARMUP" "$OUT/warmup-$size-$server.log" >/dev/null
  done
done
wait_idle "$service_pid" "$floor_pid"
rss_after_warmup=$(rss_mib "$service_pid")

# The HTTP stacks alone, for the small-request breakdown: a GET of a health endpoint at concurrency 1.
wait_idle "$service_pid" "$floor_pid"
baseline_service=$(run_wrk "http://127.0.0.1:$SERVICE_PORT/actuator/health/liveness" "" 1 "$DURATION" "$OUT/wrk-health-service.log")
wait_idle "$service_pid" "$floor_pid"
if [ -z "${FLOOR_JAR:-}" ]; then
  baseline_floor=$(run_wrk "http://127.0.0.1:$FLOOR_PORT/health" "" 1 "$DURATION" "$OUT/wrk-health-floor.log")
else
  baseline_floor="RESULT rps=n/a p50_us=n/a (the shared floor has no health endpoint)"
fi

results=$OUT/results.tsv
printf 'size\tconcurrency\tserver\trep\trps\tp50_us\tp99_us\tstatus_errors\tsocket_errors\trequests\n' >"$results"
for size in $SIZES; do
  for c in $CONCURRENCY; do
    for rep in $(seq 1 "$REPS"); do
      # ABBA: odd repetitions run the service first, even ones the floor first.
      if [ $(( rep % 2 )) = 1 ]; then order="service floor"; else order="floor service"; fi
      if [[ " $V2_SIZES " == *" $size "* ]]; then
        if [ $(( rep % 2 )) = 1 ]; then order="$order service-v2"; else order="service-v2 $order"; fi
      fi
      for server in $order; do
        wait_idle "$service_pid" "$floor_pid"
        line=$(contend "$server" "$size" "$c" "$DURATION" "$OUT/wrk-$size-c$c-$server-$rep.log")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$c" "$server" "$rep" "$(field rps "$line")" \
          "$(field p50_us "$line")" "$(field p99_us "$line")" "$(field status_errors "$line")" \
          "$(field socket_errors "$line")" "$(field requests "$line")" >>"$results"
        log "$size c=$c $server #$rep: $(field rps "$line") req/s, p50 $(field p50_us "$line") us"
      done
    done
  done
done
wait_idle "$service_pid" "$floor_pid"
rss_after=$(rss_mib "$service_pid")
rss_peak=$(hwm_mib "$service_pid")

{
  echo "# load.sh $(date -u +%Y-%m-%dT%H:%MZ), ${DURATION} s per run, ${REPS} run(s) per server and cell, wrk -t ${WRK_THREADS:-1}"
  echo "# $(machine_summary)"
  echo
  echo "Median over runs of answers/s that were 2xx (a 503 from admission control does not count as throughput)"
  echo "and of p50 and p99 (ms, of all answers); completed requests (any status) and errors (non-2xx,"
  echo "i.e. status >= 400, plus socket errors and timeouts) summed over runs. A request still in flight when a run ends"
  echo "counts neither as completed nor as an error: \"-\" means none completed within the run."
  echo
  awk -F'\t' -v sizes="$SIZES" -v concs="$CONCURRENCY" '
    NR == 1 { next }
    { k = $1 SUBSEP $2 SUBSEP $3; n[k]++; r2xx[k, n[k]] = ($10 > 0 ? $5 * ($10 - $8) / $10 : 0); p50[k, n[k]] = $6; p99[k, n[k]] = $7
      err[k] += $8 + ($9 < 0 ? 0 : $9); done_[k] += $10 }
    function med(a, k, m,   i, j, t, v) {
      for (i = 1; i <= m; i++) v[i] = a[k, i]
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    }
    function ms(a, k, m, completed) { return completed > 0 ? sprintf("%.2f", med(a, k, m) / 1000) : "-" }
    END {
      printf "| size | conc | service 2xx/s | floor 2xx/s | service/floor | service p50 ms | service p99 ms | floor p50 ms | floor p99 ms | completed service/floor | errors service/floor |\n"
      printf "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
      ns = split(sizes, S, " "); nc = split(concs, C, " ")
      for (a = 1; a <= ns; a++) for (b = 1; b <= nc; b++) {
        s = S[a] SUBSEP C[b] SUBSEP "service"; f = S[a] SUBSEP C[b] SUBSEP "floor"
        if (!(s in n) || !(f in n)) continue
        rs = med(r2xx, s, n[s]); rf = med(r2xx, f, n[f])
        printf "| %s | %s | %.1f | %.1f | %s | %s | %s | %s | %s | %d / %d | %d / %d |\n", S[a], C[b], rs, rf,
          (rf > 0 ? sprintf("%.3f", rs / rf) : "n/a"), ms(p50, s, n[s], done_[s]), ms(p99, s, n[s], done_[s]),
          ms(p50, f, n[f], done_[f]), ms(p99, f, n[f], done_[f]), done_[s], done_[f], err[s], err[f]
        v = S[a] SUBSEP C[b] SUBSEP "service-v2"
        if (v in n) {
          rv = med(r2xx, v, n[v])
          printf "| %s V2 binary | %s | %.1f | %.1f | %s | %s | %s | %s | %s | %d / %d | %d / %d |\n", S[a], C[b], rv, rf,
            (rf > 0 ? sprintf("%.3f", rv / rf) : "n/a"), ms(p50, v, n[v], done_[v]), ms(p99, v, n[v], done_[v]),
            ms(p50, f, n[f], done_[f]), ms(p99, f, n[f], done_[f]), done_[v], done_[f], err[v], err[f]
        }
      }
    }' "$results"
  echo
  echo "HTTP stack alone (GET of a health endpoint, concurrency 1, ${DURATION} s): service" \
    "/actuator/health/liveness $(field rps "$baseline_service") req/s, p50 $(field p50_us "$baseline_service") us;" \
    "floor /health $(field rps "$baseline_floor") req/s, p50 $(field p50_us "$baseline_floor") us."
  echo
  echo "Service RSS: ${rss_before} MiB when ready, ${rss_after_warmup} MiB after warm-up, ${rss_after} MiB after the runs (peak ${rss_peak} MiB)."
  echo "Raw results: $results; wrk output and server logs: $OUT"
} | tee "$OUT/summary.md"
log "done in $(( $(date +%s) - started )) s"
