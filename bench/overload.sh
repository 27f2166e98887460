#!/usr/bin/env bash
# Overload check: CONCURRENCY (64) clients send REQUESTS (640) large (2048x1000, about 20 MB) requests at once
# to the service with its default settings, while its resident size is sampled every 0.2 s. Prints how the
# requests were answered (200, or 503 when admission turned them away) and the largest RSS seen; the target
# is under 2 GiB. TRANSPORT picks the protocol: json (POST /v1/losses/cross-entropy), v2 (the binary Open Inference
# Protocol over HTTP) or grpc (the protocol over gRPC with raw tensors, bench/grpc-load.cc, for DURATION s: it
# keeps CONCURRENCY calls in flight rather than sending a fixed number).
#
#   bench/overload.sh
#   TRANSPORT=grpc bench/overload.sh
#
# Settings (environment): TRANSPORT (json), REQUESTS (640), CONCURRENCY (64), SIZE (2048x1000), DURATION (grpc:
# 30 s), SERVICE_PORT (18092), GRPC_PORT (18093), SKIP_BUILD=1, OUT, SERVICE_JAVA_OPTS (e.g. -Xmx1g).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

REQUESTS=${REQUESTS:-640}
CONCURRENCY=${CONCURRENCY:-64}
SIZE=${SIZE:-2048x1000}
TRANSPORT=${TRANSPORT:-json}
DURATION=${DURATION:-30}
SERVICE_PORT=${SERVICE_PORT:-18092}
GRPC_PORT=${GRPC_PORT:-18093}
OUT=${OUT:-$BENCH_ROOT/target/bench/overload-$(date +%Y%m%d-%H%M%S)}
URL=http://127.0.0.1:$SERVICE_PORT/v1/losses/cross-entropy

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools hey curl
build
payloads "$OUT/payloads" "large=$SIZE"
BODY=$OUT/payloads/large.json
case $TRANSPORT in
  json) ;;
  v2)
    java -cp "$(bench_classpath)" lossservice.bench.InferencePayloads "$OUT/payloads" "large=$SIZE" >&2
    BODY=$OUT/payloads/large.v2
    URL=http://127.0.0.1:$SERVICE_PORT/v2/models/cross-entropy/infer ;;
  grpc)
    java -cp "$(bench_classpath)" lossservice.bench.GrpcPayloads "$OUT/payloads" cross-entropy large >&2
    GRPC_LOAD=$BENCH_ROOT/target/bench/grpc-load
    [ -x "$GRPC_LOAD" ] || { log "build bench/grpc-load.cc first (bench/grpc.sh compiles it)"; exit 1; } ;;
  *) log "TRANSPORT is json, v2 or grpc"; exit 2 ;;
esac

SERVICE_ARGS="--loss.grpc.port=$GRPC_PORT ${SERVICE_ARGS:-}" start_service "$SERVICE_PORT" "$OUT/service.log"; pid=$STARTED_PID
wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$pid"
log "ready; RSS $(rss_mib "$pid") MiB; body $(( $(stat -c %s "$BODY") / 1048576 )) MiB"

( while kill -0 "$pid" 2>/dev/null; do echo "$(date +%s.%N) $(rss_mib "$pid")"; sleep 0.2; done ) >"$OUT/rss.txt" &
sampler=$!
started=$(date +%s)
case $TRANSPORT in
  json) timeout 900 hey -n "$REQUESTS" -c "$CONCURRENCY" -m POST -T application/json -D "$BODY" -t 120 "$URL" \
          >"$OUT/hey.log" 2>&1 || true ;;
  v2) timeout 900 hey -n "$REQUESTS" -c "$CONCURRENCY" -m POST -T application/octet-stream -D "$BODY" -t 120 \
        -H "Inference-Header-Content-Length: $(cat "$OUT/payloads/large.v2.header-length")" "$URL" \
        >"$OUT/hey.log" 2>&1 || true ;;
  grpc) timeout $(( DURATION + 120 )) "$GRPC_LOAD" "127.0.0.1:$GRPC_PORT" /inference.GRPCInferenceService/ModelInfer \
          "$OUT/payloads/large.grpc" "$CONCURRENCY" "$DURATION" 0 >"$OUT/grpc-load.log" 2>&1 || true ;;
esac
elapsed=$(( $(date +%s) - started ))
sleep 1
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true

max_rss=$(awk '$2 > max { max = $2 } END { printf "%.1f", max }' "$OUT/rss.txt")
if [ "$TRANSPORT" = grpc ]; then
  log "answers: $(cat "$OUT/grpc-load.log" | tr -s '\n' ' ')"
  REQUESTS=$(sed -n 's/^RESULT requests=\([0-9]*\).*/\1/p' "$OUT/grpc-load.log")
else
  log "answers: $(sed -n '/Status code distribution/,/^$/p' "$OUT/hey.log" | tr -s ' \n' ' ')"
  grep -A5 '^Error distribution' "$OUT/hey.log" >&2 || true
fi
log "$TRANSPORT: $REQUESTS requests at concurrency $CONCURRENCY in ${elapsed} s; largest RSS ${max_rss} MiB; peak (VmHWM) $(hwm_mib "$pid") MiB"
echo "RESULT transport=$TRANSPORT requests=$REQUESTS concurrency=$CONCURRENCY max_rss_mib=$max_rss hwm_mib=$(hwm_mib "$pid")"
