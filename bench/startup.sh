#!/usr/bin/env bash
# Startup: the time from launching `java -jar` to /actuator/health/readiness answering UP (polled every
# 50 ms), RUNS times (5), one after the other; prints every run and the median. The target is <= 6 s.
#
# Settings (environment): RUNS (5), SERVICE_PORT (18095), TIMEOUT (s per run, 120), SKIP_BUILD=1, OUT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

RUNS=${RUNS:-5}
SERVICE_PORT=${SERVICE_PORT:-18095}
TIMEOUT=${TIMEOUT:-120}
OUT=${OUT:-$BENCH_ROOT/target/bench/startup-$(date +%Y%m%d-%H%M%S)}
READINESS=http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools curl
build

times=()
{
  echo "# startup.sh $(date -u +%Y-%m-%dT%H:%MZ): java -jar to readiness UP, $RUNS runs"
  echo "# $(machine_summary)"
  echo
  echo "| run | launch to readiness UP, s | Spring's \"Started ... in\", s | RSS when ready, MiB |"
  echo "|---:|---:|---:|---:|"
} | tee "$OUT/summary.md"
for run in $(seq 1 "$RUNS"); do
  t0=$(date +%s%N)
  start_service "$SERVICE_PORT" "$OUT/service-$run.log"; pid=$STARTED_PID
  wait_up "$READINESS" "$pid" "$TIMEOUT"
  t1=$(date +%s%N)
  rss=$(rss_mib "$pid")
  stop_pid "$pid"
  BENCH_PIDS=()
  ms=$(( (t1 - t0) / 1000000 ))
  times+=("$ms")
  spring=$(sed -n 's/.*Started LossServiceApplication in \([0-9.]*\) seconds.*/\1/p' "$OUT/service-$run.log" | head -n 1)
  printf '| %d | %d.%03d | %s | %s |\n' "$run" $(( ms / 1000 )) $(( ms % 1000 )) "${spring:-?}" "$rss" | tee -a "$OUT/summary.md"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
{
  echo
  awk -v m="$median" 'BEGIN { printf "Median %.3f s (target <= 6 s: %s)\n", m / 1000, m <= 6000 ? "met" : "MISSED" }'
} | tee -a "$OUT/summary.md"
