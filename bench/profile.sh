#!/usr/bin/env bash
# Where a request's CPU time goes: the service under wrk at concurrency 8 on one payload (2x10 cross-entropy JSON by
# default), profiled with async-profiler (CPU samples of Java and native frames, Maven Central's
# tools.profiler:async-profiler jar, which carries the Linux library), on 127.0.0.1 only. The profiler runs from
# startup in 30 s windows; the window after the warm-up is kept: OUT/profile.collapsed (one line per stack,
# root first, for flamegraph.pl or speedscope) and OUT/top.txt (the frames with the most samples, self and
# inclusive, and the share of each layer of the request).
#
#   bench/profile.sh                    about 2 minutes
#   SIZE=256x1000 bench/profile.sh
#
# Settings (environment): SIZE (2x10), CONCURRENCY (8), WARMUP (s, 40), SERVICE_PORT (18086), SKIP_BUILD=1, OUT,
# PROFILER_VERSION (3.0), EVENT (cpu; itimer where perf events are not allowed).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

SIZE=${SIZE:-2x10}; CONCURRENCY=${CONCURRENCY:-8}; WARMUP=${WARMUP:-40}; SERVICE_PORT=${SERVICE_PORT:-18086}
PROFILER_VERSION=${PROFILER_VERSION:-3.0}; EVENT=${EVENT:-cpu}
WINDOW=30
OUT=${OUT:-$BENCH_ROOT/target/bench/profile-$(date +%Y%m%d-%H%M%S)}

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT/windows"
ensure_tools wrk curl
build
profiler_jar=$HOME/.m2/repository/tools/profiler/async-profiler/$PROFILER_VERSION/async-profiler-$PROFILER_VERSION.jar
if ! [ -f "$profiler_jar" ]; then
  log "fetching tools.profiler:async-profiler:$PROFILER_VERSION from Maven Central"
  ./mvnw -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$PROFILER_VERSION"
fi
library=$BENCH_ROOT/target/bench/async-profiler-$PROFILER_VERSION/linux-x64/libasyncProfiler.so
if ! [ -f "$library" ]; then
  (mkdir -p "$(dirname "$(dirname "$library")")" && cd "$(dirname "$(dirname "$library")")" \
    && unzip -q -o "$profiler_jar" 'linux-x64/*')
fi
payloads "$OUT/payloads" "payload=$SIZE"

SERVICE_JAVA_OPTS="${SERVICE_JAVA_OPTS:-} -agentpath:$library=start,event=$EVENT,interval=1ms,loop=${WINDOW}s,file=$OUT/windows/%t.collapsed" \
  start_service "$SERVICE_PORT" "$OUT/service.log"; pid=$STARTED_PID
wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$pid"
url="http://127.0.0.1:$SERVICE_PORT/v1/losses/cross-entropy"
log "warm-up: $WARMUP s"
run_wrk "$url" "$OUT/payloads/payload.json" "$CONCURRENCY" "$WARMUP" "$OUT/wrk-warmup.log" >/dev/null
# Run through two whole profiler windows: the second one that starts after the warm-up is all load.
log "measured load: $(( 2 * WINDOW + 5 )) s"
run_wrk "$url" "$OUT/payloads/payload.json" "$CONCURRENCY" $(( 2 * WINDOW + 5 )) "$OUT/wrk.log" | tee "$OUT/wrk-result.txt"
stop_pid "$pid"
windows=()
while IFS= read -r file; do windows+=("$file"); done < <(ls -tr "$OUT"/windows/*.collapsed)
[ ${#windows[@]} -ge 3 ] || { log "only ${#windows[@]} profiler windows written"; exit 1; }
# The newest complete window ended during the measured load, the one before it too: keep the one before the last.
cp "${windows[${#windows[@]}-2]}" "$OUT/profile.collapsed"
python3 "$BENCH_ROOT/bench/profile_top.py" "$OUT/profile.collapsed" | tee "$OUT/top.txt"
log "results in $OUT"
