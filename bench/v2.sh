#!/usr/bin/env bash
# Load test of the Open Inference Protocol's binary form against the JSON endpoint, on 127.0.0.1 only: the same
# logits and targets (lossservice.bench.Payloads and InferencePayloads, same seed) and the same arrays back
# (loss, smoothed targets and gradient: JSON numbers from POST /v1/losses/cross-entropy, little-endian FP32 from
# POST /v2/models/cross-entropy/infer), alternating json-v2-v2-json (ABBA) per cell. The target: v2/json >= 5 at
# xlarge.
#
#   bench/v2.sh               about 3 minutes: large and xlarge, concurrency 8, 10 s per run
#   DURATION=5 bench/v2.sh    shorter runs
#
# Settings (environment): DURATION (s per run, 10), REPS (2: ABBA; 1: json then v2), WARMUP (s per size and
# endpoint, 5), SIZES ("large xlarge"), CONCURRENCY ("8"), SERVICE_PORT (18082), WRK_THREADS (1), WRK_TIMEOUT
# (30 s), SKIP_BUILD=1, OUT (results directory).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

DURATION=${DURATION:-10}; REPS=${REPS:-2}; WARMUP=${WARMUP:-5}
SIZES=${SIZES:-"large xlarge"}
CONCURRENCY=${CONCURRENCY:-"8"}
SERVICE_PORT=${SERVICE_PORT:-18082}
OUT=${OUT:-$BENCH_ROOT/target/bench/v2-$(date +%Y%m%d-%H%M%S)}
declare -A SHAPE=([small]=2x10 [medium]=32x1000 [large]=256x1000 [xlarge]=2048x1000)
declare -A URL=([json]="http://127.0.0.1:$SERVICE_PORT/v1/losses/cross-entropy"
                [v2]="http://127.0.0.1:$SERVICE_PORT/v2/models/cross-entropy/infer")

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools wrk curl
build
args=()
for size in $SIZES; do args+=("$size=${SHAPE[$size]}"); done
log "payloads"
payloads "$OUT/payloads" "${args[@]}"
java -cp "$(bench_classpath)" lossservice.bench.InferencePayloads "$OUT/payloads" "${args[@]}" >&2

# run ENDPOINT SIZE CONNECTIONS DURATION LOGFILE: one wrk run; prints its RESULT line.
run() {
  local endpoint=$1 size=$2
  if [ "$endpoint" = json ]; then
    run_wrk "${URL[json]}" "$OUT/payloads/$size.json" "$3" "$4" "$5"
  else
    run_wrk_v2 "${URL[v2]}" "$OUT/payloads/$size.v2" "$3" "$4" "$5"
  fi
}

start_service "$SERVICE_PORT" "$OUT/service.log"; pid=$STARTED_PID
wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$pid"

# Both endpoints must answer 200 to the payloads, and the v2 answer must be binary.
for size in $SIZES; do
  read -r code _ < <(curl -sS -o /dev/null -w '%{http_code} %{size_download}\n' --max-time 120 \
    -H 'Content-Type: application/json' --data-binary "@$OUT/payloads/$size.json" "${URL[json]}")
  [ "$code" = 200 ] || { log "json answered $code to the $size payload"; exit 1; }
  read -r code _ type < <(curl -sS -o /dev/null -w '%{http_code} %{size_download} %{content_type}\n' \
    --max-time 120 -H 'Content-Type:' -H "Inference-Header-Content-Length: $(cat "$OUT/payloads/$size.v2.header-length")" \
    --data-binary "@$OUT/payloads/$size.v2" "${URL[v2]}")
  [ "$code" = 200 ] && [ "$type" = application/octet-stream ] \
    || { log "v2 answered $code ($type) to the $size payload"; exit 1; }
  log "$size: request bytes json $(stat -c %s "$OUT/payloads/$size.json"), v2 $(stat -c %s "$OUT/payloads/$size.v2")"
done

log "warm-up: ${WARMUP} s per size and endpoint at concurrency 8"
for size in $SIZES; do
  for endpoint in json v2; do
    run "$endpoint" "$size" 8 "$WARMUP" "$OUT/warmup-$size-$endpoint.log" >/dev/null
  done
done

results=$OUT/results.tsv
printf 'size\tconcurrency\tendpoint\trep\trps\tp50_us\tp99_us\tstatus_errors\tsocket_errors\trequests\n' >"$results"
for size in $SIZES; do
  for c in $CONCURRENCY; do
    for rep in $(seq 1 "$REPS"); do
      if [ $(( rep % 2 )) = 1 ]; then order="json v2"; else order="v2 json"; fi
      for endpoint in $order; do
        wait_idle "$pid"
        line=$(run "$endpoint" "$size" "$c" "$DURATION" "$OUT/wrk-$size-c$c-$endpoint-$rep.log")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$c" "$endpoint" "$rep" "$(field rps "$line")" \
          "$(field p50_us "$line")" "$(field p99_us "$line")" "$(field status_errors "$line")" \
          "$(field socket_errors "$line")" "$(field requests "$line")" >>"$results"
        log "$size c=$c $endpoint #$rep: $(field rps "$line") req/s, p50 $(field p50_us "$line") us"
      done
    done
  done
done

{
  echo "# v2.sh $(date -u +%Y-%m-%dT%H:%MZ), ${DURATION} s per run, ${REPS} run(s) per endpoint and cell, wrk -t ${WRK_THREADS:-1}"
  echo "# $(machine_summary)"
  echo
  awk -F'\t' -v sizes="$SIZES" -v concs="$CONCURRENCY" '
    NR == 1 { next }
    { k = $1 SUBSEP $2 SUBSEP $3; n[k]++; rps[k] += ($10 > 0 ? $5 * ($10 - $8) / $10 : 0); p50[k] += $6; err[k] += $8 + ($9 < 0 ? 0 : $9); done_[k] += $10 }
    END {
      printf "| size | conc | JSON 2xx/s | V2 binary 2xx/s | V2/JSON | JSON p50 ms | V2 p50 ms | completed JSON/V2 | errors JSON/V2 |\n"
      printf "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
      ns = split(sizes, S, " "); nc = split(concs, C, " ")
      for (a = 1; a <= ns; a++) for (b = 1; b <= nc; b++) {
        j = S[a] SUBSEP C[b] SUBSEP "json"; v = S[a] SUBSEP C[b] SUBSEP "v2"
        if (!(j in n) || !(v in n)) continue
        rj = rps[j] / n[j]; rv = rps[v] / n[v]
        printf "| %s | %s | %.1f | %.1f | %s | %.1f | %.1f | %d / %d | %d / %d |\n", S[a], C[b], rj, rv,
          (rj > 0 ? sprintf("%.2f", rv / rj) : "n/a"), p50[j] / n[j] / 1000, p50[v] / n[v] / 1000,
          done_[j], done_[v], err[j], err[v]
      }
    }' "$results"
  echo
  echo "Mean over runs of 2xx answers/s (a 503 from admission control is not throughput) and of p50 (all answers). Raw results: $results; wrk output and the service log: $OUT"
} | tee "$OUT/summary.md"
