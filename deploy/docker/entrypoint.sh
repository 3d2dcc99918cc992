#!/bin/sh
# Starts one Keel broker, configured by environment variables, in the foreground.
#
# Every broker config key can be set as KEEL_<KEY upper-cased, dots to underscores>; the broker reads
# those itself. This script only fills in what it can derive when they are unset:
#   node.id             KEEL_NODE_ID, else the StatefulSet pod ordinal (hostname keel-N => N+1)
#   data.dir            KEEL_DATA_DIR, else /var/lib/keel/data
#   listen.address      KEEL_LISTEN_ADDRESS, else 0.0.0.0:9091
#   http.address        KEEL_HTTP_ADDRESS, else 0.0.0.0:9191
#   advertised.address  KEEL_ADVERTISED_ADDRESS, else $(hostname -f):<listen port>
# and writes them to KEEL_CONFIG_FILE (default /tmp/keel.properties); the environment still wins.
# Nothing secret is written. Script variables (not config keys): KEEL_HOME (a directory holding
# keel-cli.jar and lib/, default /opt/keel), KEEL_JAVA (default $JAVA_HOME/bin/java, else java),
# KEEL_JAVA_OPTS, KEEL_CONFIG_FILE. Outside a container, KEEL_HOME may be the repository root.
set -eu

fail() {
  echo "keel entrypoint: $*" >&2
  exit 64
}

home=${KEEL_HOME:-/opt/keel}
if [ ! -f "$home/keel-cli.jar" ] && [ -f "$home/cli/target/keel-cli.jar" ]; then
  home=$home/cli/target
fi
[ -f "$home/keel-cli.jar" ] || fail "KEEL_HOME=$home holds no keel-cli.jar"

node_id=${KEEL_NODE_ID:-}
if [ -z "$node_id" ]; then
  host=${HOSTNAME:-$(hostname)}
  ordinal=${host##*-}
  case $ordinal in
    '' | *[!0-9]*)
      fail "KEEL_NODE_ID is unset and hostname '$host' does not end in -<ordinal>" ;;
  esac
  # Pod keel-0 is node 1: node id 0 means "unknown" across Keel.
  node_id=$((ordinal + 1))
fi
case $node_id in
  '' | *[!0-9]* | 0) fail "node id must be a positive integer, got '$node_id'" ;;
esac

listen=${KEEL_LISTEN_ADDRESS:-0.0.0.0:9091}
advertised=${KEEL_ADVERTISED_ADDRESS:-$(hostname -f 2>/dev/null || hostname):${listen##*:}}
config=${KEEL_CONFIG_FILE:-/tmp/keel.properties}

mkdir -p "$(dirname "$config")"
umask 077
cat >"$config" <<PROPERTIES
# Written by entrypoint.sh at start-up; KEEL_* environment variables override these.
node.id=$node_id
data.dir=${KEEL_DATA_DIR:-/var/lib/keel/data}
listen.address=$listen
advertised.address=$advertised
http.address=${KEEL_HTTP_ADDRESS:-0.0.0.0:9191}
PROPERTIES

if [ -n "${KEEL_JAVA:-}" ]; then
  java=$KEEL_JAVA
elif [ -n "${JAVA_HOME:-}" ]; then
  java=$JAVA_HOME/bin/java
else
  java=java
fi

echo "keel entrypoint: node $node_id, advertised $advertised, config $config" >&2
# KEEL_JAVA_OPTS is split on spaces on purpose: it holds several JVM options.
# shellcheck disable=SC2086
exec "$java" ${KEEL_JAVA_OPTS:-} -cp "$home/keel-cli.jar:$home/lib/*" \
  io.keel.broker.BrokerMain --config "$config"
