#!/usr/bin/env bash
# Memory check: after a warm-up, sends REQUESTS medium (32x1000) requests to the service at concurrency
# CONCURRENCY in BATCHES equal batches and prints its RSS (VmRSS) after each; the target is that the last
# sample is within 10% of the first (taken after the warm-up, before the 20,000 requests). Uses Debian's
# hey, which sends an exact number of requests (HTTP/1.1, keep-alive).
#
#   bench/rss.sh                      20,000 requests after 5,000 warm-up requests, concurrency 8
#
# The warm-up is long enough for the heap and the JIT's code cache to reach their working size (with
# 1,000 warm-up requests RSS still grows by about 13% over the next 2,000, then stays level).
#
# Settings (environment): REQUESTS (20000), BATCHES (10), WARMUP_REQUESTS (5000), CONCURRENCY (8),
# SIZE (32x1000), BATCH_TIMEOUT (s per batch, 300), SERVICE_PORT (18090), SKIP_BUILD=1, OUT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

REQUESTS=${REQUESTS:-20000}
BATCHES=${BATCHES:-10}
WARMUP_REQUESTS=${WARMUP_REQUESTS:-5000}
CONCURRENCY=${CONCURRENCY:-8}
SIZE=${SIZE:-32x1000}
BATCH_TIMEOUT=${BATCH_TIMEOUT:-300}
SERVICE_PORT=${SERVICE_PORT:-18090}
OUT=${OUT:-$BENCH_ROOT/target/bench/rss-$(date +%Y%m%d-%H%M%S)}
URL=http://127.0.0.1:$SERVICE_PORT/v1/losses/cross-entropy

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools hey curl
build
payloads "$OUT/payloads" "medium=$SIZE"
BODY=$OUT/payloads/medium.json

start_service "$SERVICE_PORT" "$OUT/service.log"; pid=$STARTED_PID
wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$pid"
rss_ready=$(rss_mib "$pid")

# send N LOGFILE: N requests (hey sends N rounded down to a multiple of CONCURRENCY), bounded by
# BATCH_TIMEOUT; prints "sent errors" (errors: anything but a 200).
send() {
  local n=$(( $1 / CONCURRENCY * CONCURRENCY )) ok
  timeout "$BATCH_TIMEOUT" hey -n "$n" -c "$CONCURRENCY" -m POST -T application/json -D "$BODY" -t 120 "$URL" \
    >"$2" 2>&1 || true
  ok=$(awk '$1 == "[200]" { print $2 }' "$2")
  echo "$n $(( n - ${ok:-0} ))"
}

log "warm-up: $WARMUP_REQUESTS requests"
read -r warm_sent warm_errors < <(send "$WARMUP_REQUESTS" "$OUT/warmup.log")
rss_first=$(rss_mib "$pid")
per_batch=$(( REQUESTS / BATCHES ))
started=$(date +%s)
{
  echo "# rss.sh $(date -u +%Y-%m-%dT%H:%MZ): $REQUESTS requests of $SIZE at concurrency $CONCURRENCY after $warm_sent warm-up requests"
  echo "# $(machine_summary)"
  echo
  echo "RSS when ready: $rss_ready MiB"
  echo
  echo "| requests sent | elapsed s | RSS MiB | errors |"
  echo "|---:|---:|---:|---:|"
  echo "| 0 (after warm-up) | 0 | $rss_first | $warm_errors |"
} | tee "$OUT/summary.md"
total=0
errors=0
max=$rss_first
half=$(( BATCHES / 2 ))
rss_half=$rss_first
for batch in $(seq 1 "$BATCHES"); do
  read -r sent errs < <(send "$per_batch" "$OUT/batch-$batch.log")
  total=$(( total + sent ))
  errors=$(( errors + errs ))
  rss=$(rss_mib "$pid")
  max=$(awk -v a="$max" -v b="$rss" 'BEGIN { print (b > a ? b : a) }')
  [ "$batch" != "$half" ] || rss_half=$rss
  echo "| $total | $(( $(date +%s) - started )) | $rss | $errs |" | tee -a "$OUT/summary.md"
done
{
  echo
  awk -v first="$rss_first" -v last="$rss" -v max="$max" -v peak="$(hwm_mib "$pid")" -v total="$total" -v errors="$errors" \
    -v half="$rss_half" -v half_total="$(( half * (per_batch / CONCURRENCY * CONCURRENCY) ))" 'BEGIN {
    change = (last - first) / first * 100
    printf "First %.1f MiB, last %.1f MiB: %+.1f%% over %d requests (%d errors); highest sample %.1f MiB, peak RSS (VmHWM) %.1f MiB.\n",
      first, last, change, total, errors, max, peak
    printf "Target (flat within 10%%): %s\n", (change <= 10 && change >= -10) ? "met" : "MISSED"
    printf "Second half alone (after %d requests: %.1f MiB, then %.1f MiB): %+.1f%%.\n", half_total, half, last,
      (last - half) / half * 100
  }'
} | tee -a "$OUT/summary.md"
