#!/usr/bin/env bash
# The Python client's two transports (bench/python_client.py): requests/s of numpy arrays as V2 binary tensors
# against the same arrays through the JSON API, for [256, 1000] float32 cross-entropy with the gradient and a
# [4, 21, 64, 64] float64 segmentation map, one call at a time over one kept-alive connection, on 127.0.0.1 only.
# Starts the service jar with OMP_NUM_THREADS=1 (as the README runs it), or uses URL when given.
#
#   bench/python-client.sh                     about 2 minutes: 3 ABBA pairs of 5 s runs per payload
#   RUNS=5 DURATION=10 bench/python-client.sh  longer
#   URL=http://127.0.0.1:8080 bench/python-client.sh   against a service already running
#
# Settings (environment): RUNS (3), DURATION (s per run, 5), WARMUP (s, 3), PAYLOADS ("ce seg"),
# SERVICE_PORT (18095), URL, SKIP_BUILD=1 (reuse target/loss-service-*.jar), OUT (results directory),
# PYTHON (python3; needs numpy).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

RUNS=${RUNS:-3}; DURATION=${DURATION:-5}; WARMUP=${WARMUP:-3}
PAYLOADS=${PAYLOADS:-"ce seg"}
SERVICE_PORT=${SERVICE_PORT:-18095}
PYTHON=${PYTHON:-python3}
OUT=${OUT:-$BENCH_ROOT/target/bench/python-client-$(date +%Y%m%d-%H%M%S)}

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
"$PYTHON" -c 'import numpy' 2>/dev/null || { log "$PYTHON has no numpy (Debian: apt-get install python3-numpy)"; exit 1; }

url=${URL:-}
if [ -z "$url" ]; then
  if [ "${SKIP_BUILD:-0}" != 1 ] || ! service_jar >/dev/null 2>&1; then
    log "building: ./mvnw -B -ntp -o -q -DskipTests package"
    ./mvnw -B -ntp -o -q -DskipTests package
  fi
  start_service "$SERVICE_PORT" "$OUT/service.log"; pid=$STARTED_PID
  wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$pid"
  url="http://127.0.0.1:$SERVICE_PORT"
fi
log "$(machine_summary)"
# shellcheck disable=SC2086
timeout $(( (RUNS * 4 * DURATION + 2 * WARMUP) * 2 + 300 )) "$PYTHON" bench/python_client.py --url "$url" \
  --runs "$RUNS" --duration "$DURATION" --warmup "$WARMUP" --payloads $PAYLOADS --json-out "$OUT/results.json" \
  | tee "$OUT/summary.txt"
log "results in $OUT"
