#!/usr/bin/env bash
# Overload check: CONCURRENCY (64) clients send REQUESTS (640) large (2048x1000, about 20 MB) requests at once
# to the service with its default settings, while its resident size is sampled every 0.2 s. Prints how the
# requests were answered (200, or 503 when admission turned them away) and the largest RSS seen; the target
# is under 2 GiB.
#
#   bench/overload.sh
#
# Settings (environment): REQUESTS (640), CONCURRENCY (64), SIZE (2048x1000), SERVICE_PORT (18092),
# SKIP_BUILD=1, OUT, SERVICE_JAVA_OPTS (e.g. -Xmx1g).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

REQUESTS=${REQUESTS:-640}
CONCURRENCY=${CONCURRENCY:-64}
SIZE=${SIZE:-2048x1000}
SERVICE_PORT=${SERVICE_PORT:-18092}
OUT=${OUT:-$BENCH_ROOT/target/bench/overload-$(date +%Y%m%d-%H%M%S)}
URL=http://127.0.0.1:$SERVICE_PORT/v1/losses/cross-entropy

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools hey curl
build
payloads "$OUT/payloads" "large=$SIZE"
BODY=$OUT/payloads/large.json

start_service "$SERVICE_PORT" "$OUT/service.log"; pid=$STARTED_PID
wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$pid"
log "ready; RSS $(rss_mib "$pid") MiB; body $(( $(stat -c %s "$BODY") / 1048576 )) MiB"

( while kill -0 "$pid" 2>/dev/null; do echo "$(date +%s.%N) $(rss_mib "$pid")"; sleep 0.2; done ) >"$OUT/rss.txt" &
sampler=$!
started=$(date +%s)
timeout 900 hey -n "$REQUESTS" -c "$CONCURRENCY" -m POST -T application/json -D "$BODY" -t 120 "$URL" \
  >"$OUT/hey.log" 2>&1 || true
elapsed=$(( $(date +%s) - started ))
sleep 1
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true

max_rss=$(awk '$2 > max { max = $2 } END { printf "%.1f", max }' "$OUT/rss.txt")
log "answers: $(sed -n '/Status code distribution/,/^$/p' "$OUT/hey.log" | tr -s ' \n' ' ')"
grep -A5 '^Error distribution' "$OUT/hey.log" >&2 || true
log "$REQUESTS requests at concurrency $CONCURRENCY in ${elapsed} s; largest RSS ${max_rss} MiB; peak (VmHWM) $(hwm_mib "$pid") MiB"
echo "RESULT requests=$REQUESTS concurrency=$CONCURRENCY max_rss_mib=$max_rss hwm_mib=$(hwm_mib "$pid")"
