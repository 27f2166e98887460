#!/usr/bin/env bash
# Every loss of the catalogue against cross-entropy on its JSON endpoint, POST /v1/losses/{name}, at one size
# (256x1000 by default), concurrency 8, 127.0.0.1 only. The bodies are each loss's JMH compute payload
# (lossservice.bench.CataloguePayloads: the same bytes its ComputeBenchmark measures, gradient included). Each loss
# runs REPS pairs alternating with cross-entropy after a warm-up; the summary has the median 2xx/s, p50 and p99 of
# both and their ratio. Two more rows send the cross-entropy endpoint itself bodies of other losses' size
# (cross-entropy.probabilities: probability targets, as many distinct numbers as kl-divergence reads and writes;
# cross-entropy.one-hot: 0 and 1 targets, as sigmoid-focal's): how much of a loss's ratio is its body's size alone.
#
#   bench/catalogue.sh              about 12 minutes
#   SIZE=2x10 DURATION=5 bench/catalogue.sh
#
# Settings (environment): SIZE (256x1000), DURATION (s per run, 10), REPS (3), WARMUP (s per loss, 10),
# CONCURRENCY (8), SERVICE_PORT (18085), SKIP_BUILD=1, OUT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

SIZE=${SIZE:-256x1000}; DURATION=${DURATION:-10}; REPS=${REPS:-3}; WARMUP=${WARMUP:-10}; CONCURRENCY=${CONCURRENCY:-8}
SERVICE_PORT=${SERVICE_PORT:-18085}
OUT=${OUT:-$BENCH_ROOT/target/bench/catalogue-$(date +%Y%m%d-%H%M%S)}
REFERENCE=cross-entropy

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools wrk curl
build
mapfile -t losses < <(java -cp "$(bench_classpath)" lossservice.bench.CataloguePayloads "$OUT/payloads" "$SIZE")
[ -f "$OUT/payloads/$REFERENCE.json" ] || { log "no $REFERENCE payload"; exit 1; }

start_service "$SERVICE_PORT" "$OUT/service.log"; pid=$STARTED_PID
wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$pid"

post() {  # post LOSS SECONDS LOGFILE (LOSS.VARIANT: the body LOSS.VARIANT.json to LOSS's endpoint)
  run_wrk "http://127.0.0.1:$SERVICE_PORT/v1/losses/${1%%.*}" "$OUT/payloads/$1.json" "$CONCURRENCY" "$2" "$3"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
medians() {  # medians FILE: the median rps, p50_us and p99_us of its RESULT lines
  for k in rps p50_us p99_us; do while read -r line; do field "$k" "$line"; done <"$1" | median; done | xargs
}

log "machine: $(machine_summary)"
printf '%-28s %9s %10s %8s %8s   %10s %8s %8s   %6s\n' loss size "2xx/s" p50_ms p99_ms "ce 2xx/s" p50_ms p99_ms \
  ratio | tee "$OUT/summary.txt"
for loss in "${losses[@]}"; do
  [ "$loss" = "$REFERENCE" ] && continue
  post "$REFERENCE" "$WARMUP" "$OUT/warm-$REFERENCE-$loss.log" >/dev/null
  post "$loss" "$WARMUP" "$OUT/warm-$loss.log" >/dev/null
  : >"$OUT/$loss.results"; : >"$OUT/$REFERENCE-$loss.results"
  for rep in $(seq "$REPS"); do
    wait_idle "$pid"
    post "$loss" "$DURATION" "$OUT/$loss-$rep.log" >>"$OUT/$loss.results"
    wait_idle "$pid"
    post "$REFERENCE" "$DURATION" "$OUT/$REFERENCE-$loss-$rep.log" >>"$OUT/$REFERENCE-$loss.results"
  done
  if grep -q 'status_errors=[1-9]' "$OUT/$loss.results"; then
    log "$loss: answers other than 2xx, see $OUT/$loss-*.log"
  fi
  read -r l_rps l_p50 l_p99 < <(medians "$OUT/$loss.results")
  read -r c_rps c_p50 c_p99 < <(medians "$OUT/$REFERENCE-$loss.results")
  awk -v n="$loss" -v s="$SIZE" -v lr="$l_rps" -v l5="$l_p50" -v l9="$l_p99" -v cr="$c_rps" -v c5="$c_p50" \
    -v c9="$c_p99" 'BEGIN { printf "%-28s %9s %10.1f %8.2f %8.2f   %10.1f %8.2f %8.2f   %5.2fx\n",
      n, s, lr, l5 / 1000, l9 / 1000, cr, c5 / 1000, c9 / 1000, (cr > 0 ? lr / cr : 0) }' | tee -a "$OUT/summary.txt"
done
log "results in $OUT"
