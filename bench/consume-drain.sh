#!/usr/bin/env bash
# The consume-path measurement of docs/benchmarks.md ("Consume path"):
#   bench/consume-drain.sh DIST LABEL [jfr]
# DIST holds keel-cli.jar and lib/ (a copy of cli/target). Starts a 3-node `keel dev` (fsync always),
# publishes 160,000 1 KiB records (4,000 msg/s for 40 s, 6 partitions, RF 3), drains the topic from
# the beginning three times (each `keel bench` run is a fresh consumer JVM), scrapes the brokers'
# fetch latency and stops the cluster. With "jfr": JFR on the brokers over drains 2-3 and on the
# bench JVMs. Output in /tmp/cbench/LABEL.
set -u
DIST=$1; LABEL=$2; JFR=${3:-}
RUN=/tmp/cbench/$LABEL; rm -rf "$RUN"; mkdir -p "$RUN"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/java}
[ -x "${JAVA:-}" ] || JAVA=$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -1)/bin/java
[ -x "$JAVA" ] || JAVA=java
CP="$DIST/keel-cli.jar:$DIST/lib/*"
export KEEL_JAVA=$JAVA KEEL_CLASSPATH="$CP" KEEL_HOME=$(cd "$(dirname "$0")/.." && pwd)
export KEEL_JVM_FLAGS="--sun-misc-unsafe-memory-access=allow"
$JAVA $KEEL_JVM_FLAGS -cp "$CP" io.keel.cli.KeelMain dev --port 19520 --http-port 19570 --fsync always --data-dir "$RUN/dev" > "$RUN/dev.log" 2>&1 &
DEV=$!; echo $DEV > "$RUN/dev.pid"
for i in $(seq 1 120); do grep -q "ready in" "$RUN/dev.log" && break; sleep 1; done
PIDS=$(pgrep -P $DEV -d, || true)
BFLAGS="--sun-misc-unsafe-memory-access=allow"
[ -n "$JFR" ] && BFLAGS="$BFLAGS -XX:StartFlightRecording=filename=$RUN/client.jfr,settings=profile,dumponexit=true"
B() { $JAVA $BFLAGS -cp "$CP" io.keel.cli.KeelMain bench -b 127.0.0.1:19520 "$@"; }
B --topic c --partitions 6 --consumers 0 --warmup 0s --rate 4000 --duration 40s --linger-ms 5 --batch-size 131072 --broker-pids $PIDS --drain --json "$RUN/r1.json" > "$RUN/b1.log" 2>&1
JCMD=$(dirname $JAVA)/jcmd
[ -n "$JFR" ] && for p in ${PIDS//,/ }; do $JCMD $p JFR.start name=d settings=profile > /dev/null; done
for r in 2 3; do
  B --topic c --partitions 6 --consumers 0 --warmup 0s --duration 1s --linger-ms 5 --batch-size 131072 --broker-pids $PIDS --drain --json "$RUN/r$r.json" > "$RUN/b$r.log" 2>&1
done
for port in 19570 19571 19572; do curl -s http://127.0.0.1:$port/metrics | grep -i fetch | grep -E '_(count|sum)\{|_(count|sum) ' | sed "s/^/$port /"; done > "$RUN/fetch-metrics.txt"
[ -n "$JFR" ] && for p in ${PIDS//,/ }; do $JCMD $p JFR.dump name=d filename=$RUN/broker-$p.jfr > /dev/null; done
kill -TERM $DEV; wait $DEV
grep -h -i "drain" "$RUN"/b*.log
