#!/bin/bash
# Docker HEALTHCHECK: exit 0 when the broker's GET /health/ready answers 200.
# The runtime image has neither curl nor wget; bash's /dev/tcp is enough for one HTTP/1.0 request.
set -u
address=${KEEL_HTTP_ADDRESS:-0.0.0.0:9191}
port=${address##*:}
host=${KEEL_HEALTH_HOST:-127.0.0.1}
exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET /health/ready HTTP/1.0\r\nHost: %s\r\n\r\n' "$host" >&3
read -r -t 3 status_line <&3 || exit 1
exec 3<&-
case $status_line in
  "HTTP/"*" 200"*) exit 0 ;;
  *) echo "not ready: $status_line" >&2; exit 1 ;;
esac
