#!/usr/bin/env bash
# Startup: the time from launching the JVM to /actuator/health/readiness answering UP (polled every 50 ms),
# RUNS times per mode, the modes alternating run by run; prints every run and the median per mode. The
# target is <= 6 s.
#
# Modes (MODES, both by default):
#   jar   java -jar on the packaged fat jar, as ./mvnw package leaves it
#   cds   as the container image runs it: the jar extracted (java -Djarmode=tools ... extract), started with
#         the class data sharing archive that a training run (-XX:ArchiveClassesAtExit, up to the context
#         refresh) records first, exactly as the Dockerfile does
#
# Settings (environment): RUNS (5), MODES ("jar cds"), SERVICE_PORT (18095), TIMEOUT (s per run, 120),
# SKIP_BUILD=1, OUT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

RUNS=${RUNS:-5}
MODES=${MODES:-"jar cds"}
SERVICE_PORT=${SERVICE_PORT:-18095}
TIMEOUT=${TIMEOUT:-120}
OUT=${OUT:-$BENCH_ROOT/target/bench/startup-$(date +%Y%m%d-%H%M%S)}
READINESS=http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools curl
build

declare -A JAR=([jar]="$(service_jar)")
declare -A OPTS=([jar]="")
if [[ " $MODES " == *" cds "* ]]; then
  log "cds: extracting the jar and recording the archive (training run up to the context refresh)"
  cp "$(service_jar)" "$OUT/application.jar"
  java -Djarmode=tools -jar "$OUT/application.jar" extract --destination "$OUT/extracted" >/dev/null
  OMP_NUM_THREADS=1 java -XX:ArchiveClassesAtExit="$OUT/extracted/application.jsa" -Xlog:cds=off \
    -Xlog:cds+dynamic=off -Dspring.context.exit=onRefresh -Dloss.backend=cpu \
    -jar "$OUT/extracted/application.jar" --server.port=0 >"$OUT/cds-training.log" 2>&1
  JAR[cds]=$OUT/extracted/application.jar
  OPTS[cds]="-XX:SharedArchiveFile=$OUT/extracted/application.jsa -Xlog:cds=off"
fi

{
  echo "# startup.sh $(date -u +%Y-%m-%dT%H:%MZ): JVM launch to readiness UP, $RUNS runs per mode ($MODES), alternating"
  echo "# $(machine_summary)"
  echo
  echo "| run | mode | launch to readiness UP, s | Spring's \"Started ... in\", s | RSS when ready, MiB |"
  echo "|---:|---|---:|---:|---:|"
} | tee "$OUT/summary.md"
declare -A TIMES
for run in $(seq 1 "$RUNS"); do
  for mode in $MODES; do
    t0=$(date +%s%N)
    SERVICE_JAR=${JAR[$mode]} SERVICE_JAVA_OPTS="${SERVICE_JAVA_OPTS:-} ${OPTS[$mode]}" \
      start_service "$SERVICE_PORT" "$OUT/service-$mode-$run.log"
    pid=$STARTED_PID
    wait_up "$READINESS" "$pid" "$TIMEOUT"
    t1=$(date +%s%N)
    rss=$(rss_mib "$pid")
    stop_pid "$pid"
    # shellcheck disable=SC2034 # stop_all (lib.sh) stops what BENCH_PIDS holds; this one is stopped already
    BENCH_PIDS=()
    ms=$(( (t1 - t0) / 1000000 ))
    TIMES[$mode]="${TIMES[$mode]:-} $ms"
    spring=$(sed -n 's/.*Started LossServiceApplication in \([0-9.]*\) seconds.*/\1/p' "$OUT/service-$mode-$run.log" | head -n 1)
    printf '| %d | %s | %d.%03d | %s | %s |\n' "$run" "$mode" $(( ms / 1000 )) $(( ms % 1000 )) "${spring:-?}" "$rss" \
      | tee -a "$OUT/summary.md"
  done
done
echo | tee -a "$OUT/summary.md"
for mode in $MODES; do
  # shellcheck disable=SC2086
  median=$(printf '%s\n' ${TIMES[$mode]} | sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  awk -v mode="$mode" -v m="$median" 'BEGIN { printf "%s: median %.3f s (target <= 6 s: %s)\n", mode, m / 1000, m <= 6000 ? "met" : "MISSED" }' \
    | tee -a "$OUT/summary.md"
done
