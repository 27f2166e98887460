#!/usr/bin/env bash
# gRPC against HTTP on the same service: the Open Inference Protocol over gRPC with raw tensors (the requests
# written by lossservice.bench.GrpcPayloads) beside the HTTP form with binary tensors (wrk, bench/post-v2.lua) for
# large and xlarge cross-entropy, and beside the JSON endpoint (wrk) for small; concurrency 8, 127.0.0.1 only. Each
# cell runs REPS alternating pairs after a warm-up, and prints the median 2xx/s, p50 and p99 of each side and their
# ratio. Every load generator is native code with 8 connections, sending the same request again and again and reading
# the answers without decoding them: on a 2-core machine the client shares the cores with the service, and a Java
# client (JIT compilers included) took half a core from it.
#
# The gRPC client (CLIENT): h2-grpc-load (bench/h2-grpc-load.c, on libnghttp2: one event loop, no gRPC library, the
# request in memory once and written many frames to a system call; it reads every call's HTTP status and grpc-status),
# h2load (Debian's nghttp2-client, which reads a request body from its file with a pread for every 16 KB frame and
# writes each frame with a system call of its own: 11-14 ms of CPU per 2048x1000 call where wrk takes 8-9 ms for the
# same call over HTTP/1.1, on the cores the service runs on), or grpc-load (bench/grpc-load.cc on gRPC C++'s generic
# stub, a completion queue and a thread per caller), which takes a larger share of the two cores still. h2load does
# not read gRPC statuses (every answer is HTTP 200), so with it each payload is first sent once with curl, which must
# see grpc-status 0, and the service's gRPC rejections during a run count as errors.
#
# Beside each side's rate, the CPU time per call of the service (from /proc) and of the load generator (its
# rusage), medians over the runs: on two shared cores a client that takes more of them leaves less to the service.
#
#   bench/grpc.sh                  about 6 minutes
#   DURATION=5 REPS=3 bench/grpc.sh
#   CLIENT=h2load bench/grpc.sh
#   CEILING=16 bench/grpc.sh       also bench's GrpcCeilingServer (grpc-java alone, a fixed answer of the service's
#                                  size, 16 call threads like the service; CEILING=direct: calls on the event loops),
#                                  in the same rounds: the most any grpc-java service reaches here
#   CEILING=16+compute SIZES=small bench/grpc.sh
#                                  the same server also running the service's cross-entropy kernel on a compute pool
#                                  in each call: grpc-java and the computation, nothing else of the service
#
# Settings (environment): DURATION (s per run, 10), REPS (3), WARMUP (s per cell and side, 10), CONCURRENCY (8),
# SIZES ("large xlarge small"), SERVICE_ARGS (more options of the service, e.g. --loss.grpc.threads=4),
# SERVICE_PORT (18083), GRPC_PORT (18084), CLIENT (h2-grpc-load), CEILING (unset), CEILING_PORT (18085), SKIP_BUILD=1,
# OUT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

DURATION=${DURATION:-10}; REPS=${REPS:-3}; WARMUP=${WARMUP:-10}; CONCURRENCY=${CONCURRENCY:-8}
CLIENT_WARMUP=2   # s of each gRPC run not counted: connections up, the service's gRPC paths hot again
SERVICE_PORT=${SERVICE_PORT:-18083}
GRPC_PORT=${GRPC_PORT:-18084}
CEILING_PORT=${CEILING_PORT:-18085}
CLIENT=${CLIENT:-h2-grpc-load}
case "$CLIENT" in h2-grpc-load|h2load|grpc-load) ;;
  *) log "CLIENT: h2-grpc-load, h2load or grpc-load, not $CLIENT"; exit 2 ;;
esac
OUT=${OUT:-$BENCH_ROOT/target/bench/grpc-$(date +%Y%m%d-%H%M%S)}

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools wrk curl
build
if [ "$CLIENT" = h2load ] && ! command -v h2load >/dev/null; then
  log "installing nghttp2-client (h2load)"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq nghttp2-client >/dev/null 2>&1 \
    || { apt-get -o DPkg::Lock::Timeout=600 update -qq \
      && apt-get -o DPkg::Lock::Timeout=600 install -y -qq nghttp2-client; }
fi
if [ "$CLIENT" = grpc-load ] && { ! [ -f /usr/include/grpcpp/grpcpp.h ] || ! command -v g++ >/dev/null \
    || ! command -v pkg-config >/dev/null; }; then
  log "installing libgrpc++-dev, g++ and pkg-config"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq libgrpc++-dev g++ pkg-config >/dev/null 2>&1 \
    || { apt-get -o DPkg::Lock::Timeout=600 update -qq \
      && apt-get -o DPkg::Lock::Timeout=600 install -y -qq libgrpc++-dev g++ pkg-config; }
fi
if [ "$CLIENT" = h2-grpc-load ] && { ! [ -f /usr/include/nghttp2/nghttp2.h ] || ! command -v gcc >/dev/null; }; then
  log "installing libnghttp2-dev and gcc"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq libnghttp2-dev gcc >/dev/null 2>&1 \
    || { apt-get -o DPkg::Lock::Timeout=600 update -qq \
      && apt-get -o DPkg::Lock::Timeout=600 install -y -qq libnghttp2-dev gcc; }
fi
H2_GRPC_LOAD=$BENCH_ROOT/target/bench/h2-grpc-load
if [ "$CLIENT" = h2-grpc-load ] && ! [ "$H2_GRPC_LOAD" -nt "$BENCH_ROOT/bench/h2-grpc-load.c" ]; then
  log "compiling bench/h2-grpc-load.c"
  mkdir -p "$(dirname "$H2_GRPC_LOAD")"
  gcc -O2 -o "$H2_GRPC_LOAD" "$BENCH_ROOT/bench/h2-grpc-load.c" -lnghttp2
fi
GRPC_LOAD=$BENCH_ROOT/target/bench/grpc-load
if [ "$CLIENT" = grpc-load ] && ! [ "$GRPC_LOAD" -nt "$BENCH_ROOT/bench/grpc-load.cc" ]; then
  log "compiling bench/grpc-load.cc"
  mkdir -p "$(dirname "$GRPC_LOAD")"
  # shellcheck disable=SC2046
  g++ -O2 -std=c++17 -o "$GRPC_LOAD" "$BENCH_ROOT/bench/grpc-load.cc" $(pkg-config --cflags --libs grpc++) -pthread
fi
payloads "$OUT/payloads" small=2x10 large=256x1000 xlarge=2048x1000
java -cp "$(bench_classpath)" lossservice.bench.InferencePayloads "$OUT/payloads" large=256x1000 xlarge=2048x1000 >&2
java -cp "$(bench_classpath)" lossservice.bench.GrpcPayloads "$OUT/payloads" cross-entropy small large xlarge >&2

SERVICE_ARGS="--loss.grpc.port=$GRPC_PORT ${SERVICE_ARGS:-}" start_service "$SERVICE_PORT" "$OUT/service.log"; pid=$STARTED_PID
wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$pid"
if [ -n "${CEILING:-}" ]; then
  port_free "$CEILING_PORT" || { log "port $CEILING_PORT is in use"; exit 1; }
  OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} java -cp "$(bench_classpath)" lossservice.bench.GrpcCeilingServer "$CEILING_PORT" \
    "$CEILING" >"$OUT/ceiling.log" 2>&1 &
  BENCH_PIDS+=("$!")
  deadline=$(( $(date +%s) + 60 ))
  until grep -qs "gRPC ceiling on" "$OUT/ceiling.log"; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "the gRPC ceiling did not start"; exit 1; }
    sleep 0.2
  done
fi

# grpc_rejections: the service's gRPC calls refused so far (every reason).
grpc_rejections() {
  curl -s "http://127.0.0.1:$SERVICE_PORT/actuator/prometheus" \
    | awk '/^loss_rejections_total\{protocol="grpc"/ { n += $2 } END { printf "%d\n", n }'
}
# grpc_ok SIZE PORT: the payload's call answers grpc-status 0 (h2load sees HTTP statuses only, 200 for any call).
grpc_ok() {
  curl -s --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' \
    --data-binary @"$OUT/payloads/$1.grpc-framed" -D - -o /dev/null \
    "http://127.0.0.1:$2/inference.GRPCInferenceService/ModelInfer" | tr -d '\r' | grep -qx 'grpc-status: 0' \
    || { log "the $1 call to port $2 does not answer grpc-status 0"; exit 1; }
}
grpc() {  # grpc SIZE SECONDS LOGFILE [PORT]: a RESULT line as wrk's
  local port=${4:-$GRPC_PORT}
  if [ "$CLIENT" != h2load ]; then
    local load=$GRPC_LOAD
    [ "$CLIENT" = grpc-load ] || load=$H2_GRPC_LOAD
    timeout $(( $2 + 60 )) "$load" "127.0.0.1:$port" /inference.GRPCInferenceService/ModelInfer \
      "$OUT/payloads/$1.grpc" "$CONCURRENCY" "$2" "$CLIENT_WARMUP" >"$3" 2>&1 || true
    grep '^RESULT ' "$3" || echo "RESULT requests=0 duration_us=1 rps=0 p50_us=0 p99_us=0 status_errors=0 socket_errors=-1"
    return
  fi
  local before after
  before=$(grpc_rejections)
  timeout $(( $2 + 60 )) h2load -c "$CONCURRENCY" -m 1 -D "$2" --warm-up-time="$CLIENT_WARMUP" \
    --log-file="$3.requests" -d "$OUT/payloads/$1.grpc-framed" -H 'content-type: application/grpc' \
    -H 'te: trailers' "http://127.0.0.1:$port/inference.GRPCInferenceService/ModelInfer" >"$3" 2>&1 || true
  after=$(grpc_rejections)
  # h2load's log: one line per answer of the measured time (start, HTTP status, microseconds). Errors: answers other
  # than HTTP 200, and calls the service refused meanwhile (over gRPC an error is an HTTP 200 with a grpc-status).
  sort -t$'\t' -k3,3n "$3.requests" | awk -F'\t' -v d="$2" -v refused=$(( after - before )) '
    { t[NR] = $3; if ($2 != 200) bad++ }
    END {
      if (NR == 0) { print "RESULT requests=0 duration_us=1 rps=0 p50_us=0 p99_us=0 status_errors=0 socket_errors=-1"; exit }
      printf "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d status_errors=%d socket_errors=0\n",
        NR, d * 1000000, NR / d, t[int(NR * 0.50 + 0.5)], t[int(NR * 0.99 + 0.5)], bad + refused
    }'
}
http() {  # http SIZE SECONDS LOGFILE: V2 binary for large sizes, the JSON endpoint for small
  if [ "$1" = small ]; then
    run_wrk "http://127.0.0.1:$SERVICE_PORT/v1/losses/cross-entropy" "$OUT/payloads/$1.json" "$CONCURRENCY" "$2" "$3"
  else
    run_wrk_v2 "http://127.0.0.1:$SERVICE_PORT/v2/models/cross-entropy/infer" "$OUT/payloads/$1.v2" "$CONCURRENCY" "$2" "$3"
  fi
}
# measured SIDE SIZE SECONDS LOGFILE: the RESULT line of a run of SIDE (http or grpc) with the CPU time per call of
# the service (service_cpu_ms=) and of the load generator (client_cpu_ms=) added; the calls of the gRPC client's
# warm-up count too (estimated at the run's rate). No command substitution around the run: its client would be a
# grandchild of a subshell, and its CPU time not counted here.
measured() {
  local side=$1 service_before client_before service_after client_after line calls
  service_before=$(service_cpu_s); times >"$OUT/.times"; client_before=$(children_cpu_s <"$OUT/.times")
  "$@" >"$OUT/.result"
  service_after=$(service_cpu_s); times >"$OUT/.times"; client_after=$(children_cpu_s <"$OUT/.times")
  line=$(cat "$OUT/.result")
  calls=$(awk -v r="$(field rps "$line")" -v d="$3" -v w="$([ "$side" = grpc ] && echo "$CLIENT_WARMUP" || echo 0)" \
    'BEGIN { printf "%.1f\n", r * (d + w) }')
  awk -v l="$line" -v c="$calls" -v s="$(awk -v a="$service_before" -v b="$service_after" 'BEGIN { print b - a }')" \
    -v k="$(awk -v a="$client_before" -v b="$client_after" 'BEGIN { print b - a }')" \
    'BEGIN { printf "%s service_cpu_ms=%.4f client_cpu_ms=%.4f\n", l, (c > 0 ? 1000 * s / c : 0), (c > 0 ? 1000 * k / c : 0) }'
}
service_cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / hz }' "/proc/$pid/stat"; }
# children_cpu_s: user and system seconds of the waited-for children, from the output of the shell's times builtin.
children_cpu_s() {
  awk 'NR == 2 { for (i = 1; i <= NF; i++) { split($i, t, "m"); sub(/s$/, "", t[2]); s += t[1] * 60 + t[2] } }
    END { printf "%.3f\n", s }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-7s %-11s %10s %8s %8s   %-11s %10s %8s %8s   %6s\n' size http "2xx/s" p50_ms p99_ms grpc "2xx/s" p50_ms \
  p99_ms ratio | tee "$OUT/summary.txt"
for size in ${SIZES:-large xlarge small}; do
  if [ "$CLIENT" = h2load ]; then
    grpc_ok "$size" "$GRPC_PORT"
    [ -z "${CEILING:-}" ] || grpc_ok "$size" "$CEILING_PORT"
  fi
  http "$size" "$WARMUP" "$OUT/warm-http-$size.log" >/dev/null
  grpc "$size" "$WARMUP" "$OUT/warm-grpc-$size.log" >/dev/null
  [ -z "${CEILING:-}" ] || grpc "$size" "$WARMUP" "$OUT/warm-ceiling-$size.log" "$CEILING_PORT" >/dev/null
  : >"$OUT/$size.http"; : >"$OUT/$size.grpc"; : >"$OUT/$size.ceiling"
  for rep in $(seq "$REPS"); do
    measured http "$size" "$DURATION" "$OUT/http-$size-$rep.log" >>"$OUT/$size.http"
    measured grpc "$size" "$DURATION" "$OUT/grpc-$size-$rep.log" >>"$OUT/$size.grpc"
    [ -z "${CEILING:-}" ] \
      || grpc "$size" "$DURATION" "$OUT/ceiling-$size-$rep.log" "$CEILING_PORT" >>"$OUT/$size.ceiling"
  done
  read -r h_rps h_p50 h_p99 < <(for k in rps p50_us p99_us; do while read -r line; do field "$k" "$line"; done \
    <"$OUT/$size.http" | median; done | xargs)
  read -r g_rps g_p50 g_p99 < <(for k in rps p50_us p99_us; do while read -r line; do field "$k" "$line"; done \
    <"$OUT/$size.grpc" | median; done | xargs)
  label=$([ "$size" = small ] && echo "json" || echo "v2-binary")
  awk -v s="$size" -v l="$label" -v hr="$h_rps" -v h5="$h_p50" -v h9="$h_p99" -v gr="$g_rps" -v g5="$g_p50" \
    -v g9="$g_p99" 'BEGIN { printf "%-7s %-11s %10.1f %8.2f %8.2f   %-11s %10.1f %8.2f %8.2f   %5.2fx\n",
      s, l, hr, h5 / 1000, h9 / 1000, "grpc-raw", gr, g5 / 1000, g9 / 1000, (hr > 0 ? gr / hr : 0) }' \
    | tee -a "$OUT/summary.txt"
  cpu() { for k in service_cpu_ms client_cpu_ms; do while read -r line; do field "$k" "$line"; done <"$1" | median; done \
    | xargs; }
  read -r h_service h_client < <(cpu "$OUT/$size.http")
  read -r g_service g_client < <(cpu "$OUT/$size.grpc")
  printf '%-7s cpu ms/call: service %.3f, client %.3f   cpu ms/call: service %.3f, client %.3f   (%s)\n' "" \
    "$h_service" "$h_client" "$g_service" "$g_client" "$CLIENT" | tee -a "$OUT/summary.txt"
  if [ -n "${CEILING:-}" ]; then
    read -r c_rps c_p50 c_p99 < <(for k in rps p50_us p99_us; do while read -r line; do field "$k" "$line"; done \
      <"$OUT/$size.ceiling" | median; done | xargs)
    awk -v s="$size" -v hr="$h_rps" -v gr="$g_rps" -v cr="$c_rps" -v c5="$c_p50" -v c9="$c_p99" \
      'BEGIN { printf "%-7s %-11s %10s %8s %8s   %-11s %10.1f %8.2f %8.2f   %5.2fx (the service: %.2fx of it)\n",
        s, "", "", "", "", "ceiling", cr, c5 / 1000, c9 / 1000, (hr > 0 ? cr / hr : 0), (cr > 0 ? gr / cr : 0) }' \
      | tee -a "$OUT/summary.txt"
  fi
done
log "results in $OUT"
