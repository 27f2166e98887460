#!/usr/bin/env bash
# The Open Inference Protocol's binary form against the JSON endpoint beyond 2-D cross-entropy: a [8, 21, 64, 64]
# float32 segmentation batch (cross-entropy, class-index targets, 5% ignored pixels) and binary cross-entropy on
# [4096, 1000] (0/1 targets as FP32); the same numbers in and the same arrays back (smoothed targets and gradient),
# concurrency 8, 127.0.0.1 only. JSON and V2 alternate (json-v2, v2-json, json-v2) after a warm-up; medians.
#
#   bench/v2-shapes.sh          about 4 minutes
#
# Settings (environment): DURATION (s per run, 10), REPS (3), WARMUP (s per case and side, 10), CONCURRENCY (8),
# SERVICE_PORT (18087), SKIP_BUILD=1, OUT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

DURATION=${DURATION:-10}; REPS=${REPS:-3}; WARMUP=${WARMUP:-10}; CONCURRENCY=${CONCURRENCY:-8}
SERVICE_PORT=${SERVICE_PORT:-18087}
OUT=${OUT:-$BENCH_ROOT/target/bench/v2-shapes-$(date +%Y%m%d-%H%M%S)}
declare -A MODEL=([segmentation]=cross-entropy [binary-cross-entropy]=binary-cross-entropy)

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT/payloads"
ensure_tools wrk curl
build
cp_=$(bench_classpath)
java -cp "$cp_" lossservice.bench.Payloads "$OUT/payloads" segmentation=8x21x64x64 >&2
java -cp "$cp_" lossservice.bench.CataloguePayloads "$OUT/payloads" 4096x1000 binary-cross-entropy >/dev/null
java -cp "$cp_" lossservice.bench.BinaryPayloads "$OUT/payloads" segmentation >&2
java -cp "$cp_" lossservice.bench.BinaryPayloads "$OUT/payloads" binary-cross-entropy targets >&2

start_service "$SERVICE_PORT" "$OUT/service.log"; pid=$STARTED_PID
wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$pid"

run() {  # run json|v2 CASE SECONDS LOGFILE
  if [ "$1" = json ]; then
    run_wrk "http://127.0.0.1:$SERVICE_PORT/v1/losses/${MODEL[$2]}" "$OUT/payloads/$2.json" "$CONCURRENCY" "$3" "$4"
  else
    run_wrk_v2 "http://127.0.0.1:$SERVICE_PORT/v2/models/${MODEL[$2]}/infer" "$OUT/payloads/$2.v2" "$CONCURRENCY" "$3" "$4"
  fi
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# 2xx/s of a RESULT line: answers other than 2xx (503 overloaded) are not throughput.
ok_rps() { awk -v r="$(field rps "$1")" -v n="$(field requests "$1")" -v e="$(field status_errors "$1")" \
  'BEGIN { printf "%.2f\n", (n > 0 ? r * (n - e) / n : 0) }'; }

# Both sides must answer 200 before anything is measured.
for case_ in "${!MODEL[@]}"; do
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 120 -H 'Content-Type: application/json' \
    --data-binary "@$OUT/payloads/$case_.json" "http://127.0.0.1:$SERVICE_PORT/v1/losses/${MODEL[$case_]}")
  [ "$code" = 200 ] || { log "json answered $code to $case_"; exit 1; }
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 120 \
    -H "Inference-Header-Content-Length: $(cat "$OUT/payloads/$case_.v2.header-length")" \
    --data-binary "@$OUT/payloads/$case_.v2" "http://127.0.0.1:$SERVICE_PORT/v2/models/${MODEL[$case_]}/infer")
  [ "$code" = 200 ] || { log "v2 answered $code to $case_"; exit 1; }
done

printf '%-21s %12s %12s %10s %10s %10s %10s %8s\n' case json_2xx/s v2_2xx/s json_p50ms v2_p50ms json_p99ms v2_p99ms \
  v2/json | tee "$OUT/summary.txt"
for case_ in segmentation binary-cross-entropy; do
  run json "$case_" "$WARMUP" "$OUT/warm-json-$case_.log" >/dev/null
  run v2 "$case_" "$WARMUP" "$OUT/warm-v2-$case_.log" >/dev/null
  : >"$OUT/$case_.json.results"; : >"$OUT/$case_.v2.results"
  for rep in $(seq "$REPS"); do
    if [ $(( rep % 2 )) = 1 ]; then order="json v2"; else order="v2 json"; fi
    for side in $order; do
      wait_idle "$pid"
      run "$side" "$case_" "$DURATION" "$OUT/$side-$case_-$rep.log" >>"$OUT/$case_.$side.results"
    done
  done
  declare -A m=()
  for side in json v2; do
    m[$side.rps]=$(while read -r line; do ok_rps "$line"; done <"$OUT/$case_.$side.results" | median)
    m[$side.p50]=$(while read -r line; do field p50_us "$line"; done <"$OUT/$case_.$side.results" | median)
    m[$side.p99]=$(while read -r line; do field p99_us "$line"; done <"$OUT/$case_.$side.results" | median)
  done
  awk -v c="$case_" -v jr="${m[json.rps]}" -v vr="${m[v2.rps]}" -v j5="${m[json.p50]}" -v v5="${m[v2.p50]}" \
    -v j9="${m[json.p99]}" -v v9="${m[v2.p99]}" 'BEGIN { printf "%-21s %12.2f %12.2f %10.1f %10.1f %10.1f %10.1f %7.2fx\n",
      c, jr, vr, j5 / 1000, v5 / 1000, j9 / 1000, v9 / 1000, (jr > 0 ? vr / jr : 0) }' | tee -a "$OUT/summary.txt"
done
log "results in $OUT"
