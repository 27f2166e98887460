#!/usr/bin/env bash
# Hostile clients (issue 12): every attack of bench/hostile.py against the service started with its default
# settings (a fresh process per attack, OMP_NUM_THREADS=1), then a storm of large requests with small ones beside
# it. Prints a RESULT line per attack and writes them to OUT/summary.txt: the share of health probes and of small
# valid POSTs answered 200 within 2 s, how the attackers were answered, and the peak resident size.
#
#   bench/hostile.sh                              every attack (about 6 minutes on 2 cores)
#   ATTACKS="slow storm" bench/hostile.sh         some of them
#   SERVICE_JAR=/path/to/other.jar bench/hostile.sh   another build of the service, to compare
#
# Attacks: slow (200 connections trickling declared 10 MiB bodies for 40 s), slow-get (the same on GET
# /actuator/health), silent (16 bodies that stop after 1 KiB), bomb (two 670 MB gzip bombs at once on /v2, one on
# /v1), flood (8,300 idle connections, then more than max-connections), expect (Expect: 100-continue with a
# declared 64 MiB + 1 body), storm (STORM_REQUESTS (640) 2048x1000 requests at concurrency 64 with hey, and small
# requests at concurrency SMALL_CONCURRENCY beside them: how many of the small ones are answered 200, and how fast,
# is the fairness figure).
#
# Settings (environment): ATTACKS, SERVICE_PORT (18094), STORM_REQUESTS, SMALL_CONCURRENCY (4, the small requests'
# clients during the storm), SKIP_BUILD=1, OUT, SERVICE_JAVA_OPTS,
# SERVICE_JAR, HOSTILE_OPTIONS (NAME=VALUE options of bench/hostile.py, e.g. "N=12000" for a larger flood). Loopback only; every process started here is stopped on exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

ATTACKS=${ATTACKS:-"slow slow-get silent bomb flood expect storm"}
SERVICE_PORT=${SERVICE_PORT:-18094}
STORM_REQUESTS=${STORM_REQUESTS:-640}
OUT=${OUT:-$BENCH_ROOT/target/bench/hostile-$(date +%Y%m%d-%H%M%S)}

trap stop_all EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
ensure_tools python3 curl hey
build
# The flood opens more than 10,000 connections from this shell's processes.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
log "open files: $(ulimit -n); $(machine_summary)"

status=0
for attack in $ATTACKS; do
  start_service "$SERVICE_PORT" "$OUT/service-$attack.log"; pid=$STARTED_PID
  wait_up "http://127.0.0.1:$SERVICE_PORT/actuator/health/readiness" "$pid"
  log "$attack: service ready, RSS $(rss_mib "$pid") MiB"
  if [ "$attack" = storm ]; then
    [ -f "$OUT/payloads/large.json" ] || payloads "$OUT/payloads" "large=2048x1000"
    ( while kill -0 "$pid" 2>/dev/null; do echo "$(rss_mib "$pid")"; sleep 0.2; done ) >"$OUT/rss-storm.txt" &
    sampler=$!
    timeout 900 hey -n "$STORM_REQUESTS" -c 64 -m POST -T application/json -D "$OUT/payloads/large.json" -t 120 \
      "http://127.0.0.1:$SERVICE_PORT/v1/losses/cross-entropy" >"$OUT/hey-storm.log" 2>&1 &
    storm=$!
    sleep 2
    probe=$(python3 bench/hostile.py probe "$SERVICE_PORT" "$pid" DURATION=40 CONCURRENCY="${SMALL_CONCURRENCY:-4}") \
      || status=1
    wait "$storm" || true
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    large=$(awk '/Status code distribution/ { on = 1; next } on && /^ *\[[0-9]+\]/ { printf "%s%s:%s", sep, $1, $2; sep = "," }
      on && /^ *$/ { on = 0 }' "$OUT/hey-storm.log" | tr -d '[]')
    large="$large,broken:$(grep -c 'broken pipe\|connection reset' "$OUT/hey-storm.log" || true)"
    peak=$(awk '$1 > max { max = $1 } END { printf "%.0f", max }' "$OUT/rss-storm.txt")
    result="RESULT attack=storm large_requests=$STORM_REQUESTS large=$large ${probe#RESULT attack=probe } rss_peak_mib=$peak"
  else
    # shellcheck disable=SC2086
    result=$(python3 bench/hostile.py "$attack" "$SERVICE_PORT" "$pid" ${HOSTILE_OPTIONS:-}) || status=1
  fi
  kill -0 "$pid" 2>/dev/null || { log "$attack: the service died"; status=1; }
  echo "$result hwm_mib=$(hwm_mib "$pid")" | tee -a "$OUT/summary.txt"
  log "$attack: VmHWM $(hwm_mib "$pid") MiB; rejections: $(curl -s "http://127.0.0.1:$SERVICE_PORT/actuator/prometheus" \
    | grep '^loss_rejections_total' | grep -v ' 0.0$' | sed 's/loss_rejections_total//' | tr '\n' ' ')"
  stop_pid "$pid"
done
log "summary in $OUT/summary.txt"
exit "$status"
