# shellcheck shell=bash
# Shared by bench/load.sh, bench/rss.sh and bench/startup.sh (source it; do not run it).
# Everything binds and targets 127.0.0.1 only, and every process started here is stopped by its PID on exit.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_PIDS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ensure_tools TOOL...: installs the missing ones (Debian packages of the same names: wrk, hey, curl).
ensure_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 && continue
    log "installing $tool"
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$tool" >/dev/null 2>&1 \
      || { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$tool"; }
  done
}

# Builds the service jar, the benchmark classes and target/benchmark-classpath.txt (SKIP_BUILD=1 reuses them).
build() {
  if [ "${SKIP_BUILD:-0}" = 1 ] && [ -f "$BENCH_ROOT/target/benchmark-classpath.txt" ] && service_jar >/dev/null 2>&1; then
    log "SKIP_BUILD=1: reusing $(service_jar)"
    return
  fi
  log "building: ./mvnw -o -q -B -Pbenchmark -DskipTests package"
  (cd "$BENCH_ROOT" && ./mvnw -o -q -B -Pbenchmark -DskipTests package)
}

service_jar() {
  local jar
  for jar in "$BENCH_ROOT"/target/loss-service-*.jar; do
    if [ -f "$jar" ]; then
      echo "$jar"
      return 0
    fi
  done
  return 1
}

bench_classpath() {
  echo "$BENCH_ROOT/target/test-classes:$BENCH_ROOT/target/classes:$(cat "$BENCH_ROOT/target/benchmark-classpath.txt")"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_service PORT LOGFILE: starts the service jar; its PID is left in STARTED_PID. Its gRPC server listens on a free
# port unless SERVICE_ARGS says otherwise (--loss.grpc.port=N).
start_service() {
  port_free "$1" || { log "port $1 is in use"; return 1; }
  local grpc_port="--loss.grpc.port=0"
  [[ "${SERVICE_ARGS:-}" == *loss.grpc.port* ]] && grpc_port=
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} java ${SERVICE_JAVA_OPTS:-} -jar "${SERVICE_JAR:-$(service_jar)}" \
    --server.address=127.0.0.1 --server.port="$1" --loss.grpc.address=127.0.0.1 $grpc_port ${SERVICE_ARGS:-} >"$2" 2>&1 &
  STARTED_PID=$!
  BENCH_PIDS+=("$STARTED_PID")
}

# start_floor PORT LOGFILE: starts the floor server; its PID is left in STARTED_PID. With FLOOR_JAR, the shared
# reference floor (shared/bench/floor-server, built with mvn package: null-server.jar) with its default threads
# instead of lossservice.bench.FloorServer.
start_floor() {
  port_free "$1" || { log "port $1 is in use"; return 1; }
  if [ -n "${FLOOR_JAR:-}" ]; then
    # shellcheck disable=SC2086
    java ${FLOOR_JAVA_OPTS:-} -jar "$FLOOR_JAR" --port "$1" >"$2" 2>&1 &
  else
    # shellcheck disable=SC2086
    java ${FLOOR_JAVA_OPTS:-} -cp "$(bench_classpath)" lossservice.bench.FloorServer "$1" "${FLOOR_THREADS:-200}" >"$2" 2>&1 &
  fi
  STARTED_PID=$!
  BENCH_PIDS+=("$STARTED_PID")
}

# wait_up URL PID [TIMEOUT_S]: polls every 50 ms until URL answers 200 with "UP" in its body.
wait_up() {
  local url=$1 pid=$2 deadline=$(( $(date +%s) + ${3:-120} ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "process $pid exited before $url was UP"
      return 1
    fi
    if curl -fsS --max-time 1 "$url" 2>/dev/null | grep -q '"UP"'; then
      return 0
    fi
    sleep 0.05
  done
  log "$url was not UP within ${3:-120} s"
  return 1
}

# wait_floor PORT PID: waits until the floor answers HTTP at all (the shared floor has no health endpoint).
wait_floor() {
  if [ -z "${FLOOR_JAR:-}" ]; then
    wait_up "http://127.0.0.1:$1/health" "$2"
    return
  fi
  local deadline=$(( $(date +%s) + 60 ))
  until curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; do
    kill -0 "$2" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ] || { log "the floor on port $1 did not start"; return 1; }
    sleep 0.05
  done
}

# cpu_ticks PID...: CPU time (user + system, in clock ticks) the processes have used so far.
cpu_ticks() {
  local total=0 pid
  for pid in "$@"; do
    total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

# wait_idle PID...: waits until the processes use less than 10% of a core over 0.5 s (at most
# IDLE_TIMEOUT s, 120), so that requests a previous run abandoned do not run during the next one.
wait_idle() {
  local hz before after deadline=$(( $(date +%s) + ${IDLE_TIMEOUT:-120} ))
  hz=$(getconf CLK_TCK)
  while [ "$(date +%s)" -lt "$deadline" ]; do
    before=$(cpu_ticks "$@")
    sleep 0.5
    after=$(cpu_ticks "$@")
    [ $(( (after - before) * 20 )) -le "$hz" ] && return 0
  done
  log "still busy after ${IDLE_TIMEOUT:-120} s: $*"
}

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
hwm_mib() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    stop_pid "$pid"
  done
  BENCH_PIDS=()
}

# payloads DIR name=NxC...: writes the fixed request bodies.
payloads() {
  local dir=$1
  shift
  java -cp "$(bench_classpath)" lossservice.bench.Payloads "$dir" "$@" >&2
}

# run_wrk URL BODY CONNECTIONS DURATION_S LOGFILE: one bounded wrk run (a GET when BODY is ""); prints
# its RESULT line.
run_wrk() {
  local url=$1 body=$2 connections=$3 duration=$4 logfile=$5
  local threads=${WRK_THREADS:-1}
  [ "$threads" -le "$connections" ] || threads=$connections
  WRK_BODY=$body timeout $(( duration + 60 )) wrk -t "$threads" -c "$connections" -d "${duration}s" \
    --timeout "${WRK_TIMEOUT:-30}s" --latency -s "$BENCH_ROOT/bench/post.lua" "$url" >"$logfile" 2>&1 || true
  grep '^RESULT ' "$logfile" || echo "RESULT requests=0 duration_us=1 rps=0 p50_us=0 p99_us=0 status_errors=0 socket_errors=-1"
}

# run_wrk_v2 URL BODY CONNECTIONS DURATION_S LOGFILE: one bounded wrk run posting the binary Open Inference Protocol
# body BODY (its JSON part's length in BODY.header-length) as tritonclient.http sends it; prints its RESULT line.
run_wrk_v2() {
  local url=$1 body=$2 connections=$3 duration=$4 logfile=$5
  local threads=${WRK_THREADS:-1}
  [ "$threads" -le "$connections" ] || threads=$connections
  WRK_BODY=$body WRK_HEADER_LENGTH=$(cat "$body.header-length") timeout $(( duration + 60 )) wrk -t "$threads" \
    -c "$connections" -d "${duration}s" --timeout "${WRK_TIMEOUT:-30}s" --latency -s "$BENCH_ROOT/bench/post-v2.lua" \
    "$url" >"$logfile" 2>&1 || true
  grep '^RESULT ' "$logfile" || echo "RESULT requests=0 duration_us=1 rps=0 p50_us=0 p99_us=0 status_errors=0 socket_errors=-1"
}

# field NAME LINE: the value of NAME=... in a RESULT line.
field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2"; }

machine_summary() {
  echo "nproc: $(nproc); CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1);" \
    "memory: $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo);" \
    "java: $(java -version 2>&1 | head -n 1)"
}
