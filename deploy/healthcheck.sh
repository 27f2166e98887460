#!/usr/bin/env bash
# The image's HEALTHCHECK: GET /actuator/health/liveness on the local port, healthy on HTTP 200. Plain
# bash (/dev/tcp), so that the image needs no curl or wget.
set -euo pipefail
port=${SERVER_PORT:-8080}
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET /actuator/health/liveness HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
read -r _ status _ <&3
[ "$status" = 200 ]
