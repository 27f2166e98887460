#!/usr/bin/env bash
# Soak: mixed valid and invalid traffic (bench/soak.py) against the service with its default settings for
# DURATION seconds, printing the answers and the resident size every INTERVAL seconds. Fails on any 5xx other
# than an overload 503, on any unclean error answer and on any broken connection.
#
#   bench/soak.sh                     3 minutes at concurrency 8
#   DURATION=30 bench/soak.sh         a short one
#
# Settings (environment): DURATION (180), CONCURRENCY (8), INTERVAL (10), SEED (7), SERVICE_PORT (18093),
# SKIP_BUILD=1, OUT, SERVICE_JAVA_OPTS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

DURATION=${DURATION:-180}
CONCURRENCY=${CONCURRENCY:-8}
INTERVAL=${INTERVAL:-10}
SEED=${SEED:-7}
SERVICE_PORT=${SERVICE_PORT:-18093}
OUT=${OUT:-$BENCH_ROOT/target/bench/soak-$(date +%Y%m%d-%H%M%S)}

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools python3 curl
build
start_service "$SERVICE_PORT" "$OUT/service.log"; pid=$STARTED_PID
wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$pid"
log "ready; RSS $(rss_mib "$pid") MiB; soaking for $DURATION s at concurrency $CONCURRENCY"
status=0
python3 "$BENCH_ROOT/bench/soak.py" "http://127.0.0.1:$SERVICE_PORT" "$DURATION" "$CONCURRENCY" "$pid" "$INTERVAL" \
  "$SEED" | tee "$OUT/soak.txt" || status=$?
kill -0 "$pid" 2>/dev/null || { log "the service died"; exit 1; }
log "service still up; readiness: $(curl -s "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness")"
log "rejections: $(curl -s "http://127.0.0.1:$SERVICE_PORT/actuator/prometheus" | grep '^loss_rejections_total' | tr '\n' ' ')"
exit "$status"
