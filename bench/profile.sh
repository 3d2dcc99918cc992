#!/usr/bin/env bash
# Where Keel's brokers (and the load generator) spend CPU under one workload, with async-profiler
# (CPU samples with kernel frames, which JFR does not have: fsync, page-cache copies, socket writes).
#
#   bench/profile.sh                          # max-rate publish
#   bench/profile.sh --workload rate5k        # a fixed 5,000 msg/s
#   bench/profile.sh --workload drain         # read back a 60 s max-rate backlog (the bench JVM too)
#   bench/profile.sh --seconds 30 --warmup 90s --fsync never
#
# A fresh 3-node `keel dev` (ports 19300-19302, HTTP 19350-19352) takes --warmup of discarded
# max-rate publishes (the brokers' JIT), then the workload runs with the profiler attached to each
# broker for --seconds (drain: for the whole warm pass). Output in bench/target/profile/<run id>/: collapsed stacks per process
# (flame-graph input: one line per stack) and summary.txt (CPU share by activity, top frames).
# async-profiler comes from Maven Central at the version the parent pom pins.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
workload=max seconds=20 warmup=45s fsync=always
while [[ $# -gt 0 ]]; do
  case $1 in
    --workload) workload=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --fsync) fsync=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "profile.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $workload in max|rate5k|drain) ;; *) echo "--workload must be max, rate5k or drain" >&2; exit 2 ;; esac

. "$root/bin/find-jdk.sh"
JAVA="$JAVA_HOME/bin/java" JCMD="$JAVA_HOME/bin/jcmd"
out="$root/bench/target/profile/$(date -u +%Y%m%dT%H%M%SZ)-$workload"
mkdir -p "$out"
log() { echo "profile [$(date -u +%H:%M:%S)] $*" >&2; }

version=$(sed -n 's:.*<async-profiler.version>\(.*\)</async-profiler.version>.*:\1:p' "$root/pom.xml")
ap_dir="$root/bench/target/async-profiler-$version"
if [[ ! -f "$ap_dir/linux-x64/libasyncProfiler.so" ]]; then
  log "fetching async-profiler $version from Maven Central"
  "$root/mvnw" -B -q dependency:copy -Dartifact="tools.profiler:async-profiler:$version" \
    -DoutputDirectory="$ap_dir" > "$out/fetch.log" 2>&1 || { tail -20 "$out/fetch.log" >&2; exit 1; }
  (cd "$ap_dir" && "$JAVA_HOME/bin/jar" xf "async-profiler-$version.jar" linux-x64/libasyncProfiler.so)
fi
agent="$ap_dir/linux-x64/libasyncProfiler.so"
# jcmd parses key=value pairs itself: the agent's options must reach it as one quoted string.
profiler() { # pid, agent options
  local said
  said=$("$JCMD" "$1" JVMTI.agent_load "$agent" "\"$2\"" 2>&1) || true
  # jcmd exits 0 whatever the agent answers; the agent's own return code is in what it prints.
  [[ $said == *"return code: 0"* ]] || log "async-profiler in pid $1 refused \"$2\": $said"
}

[[ -f "$root/cli/target/keel-cli.jar" ]] \
  || { echo "profile.sh: build first (./mvnw -B -DskipTests package -pl cli -am)" >&2; exit 1; }
"$root/keel" dev --nodes 3 --port 19300 --http-port 19350 --data-dir "$out/data" --fsync "$fsync" \
  > "$out/dev.log" 2>&1 < /dev/null &
dev=$!
trap 'kill -TERM $dev 2>/dev/null || true; wait $dev 2>/dev/null || true; rm -rf "$out/data"' EXIT
deadline=$((SECONDS + 180))
until grep -q "ready in" "$out/dev.log"; do
  [[ $SECONDS -lt $deadline ]] || { log "the cluster did not start (see $out/dev.log)"; exit 1; }
  kill -0 $dev 2>/dev/null || { log "keel dev exited (see $out/dev.log)"; exit 1; }
  sleep 0.5
done
brokers=$(for n in 1 2 3; do awk '{print $1; exit}' "$out/data/node-$n/broker.pid"; done)
cp="$root/cli/target/keel-cli.jar:$root/cli/target/lib/*"
bench() { # json, flags...
  local json=$1; shift
  "$JAVA" -Xmx1g -cp "$cp" io.keel.cli.KeelMain bench --system keel \
    -b 127.0.0.1:19300,127.0.0.1:19301,127.0.0.1:19302 --broker-pids "$(echo $brokers | tr ' ' ,)" \
    --partitions 6 --replication-factor 3 --message-size 1024 --acks all --batch-size 131072 \
    --linger-ms 5 --consumers 0 --json "$json" "$@" > "$json.out" 2> "$json.err"
}
log "warming the brokers with $warmup of max-rate publishes"
bench "$out/warmup.json" --topic warmup --rate 0 --warmup 0s --duration "$warmup"

profile_brokers() { # seconds to wait first
  sleep "$1"
  for p in $brokers; do profiler "$p" "start,event=cpu,interval=1ms"; done
  sleep "$seconds"
  for p in $brokers; do profiler "$p" "stop,file=$out/broker-$p.collapsed,collapsed"; done
}
case $workload in
  max|rate5k)
    rate=0; [[ $workload == rate5k ]] && rate=5000
    log "$workload: profiling the brokers for ${seconds}s after a 10 s settle"
    profile_brokers 10 &
    sampler=$!
    bench "$out/workload.json" --topic profiled --rate "$rate" --warmup 5s --duration "$((seconds + 15))s"
    wait $sampler ;;
  drain)
    log "drain: 60 s of max-rate publishes, then the backlog read twice; profiling the warm pass"
    ( until grep -q "\[drain\] warm" "$out/workload.json.err" 2>/dev/null; do sleep 0.05; done
      for p in $brokers; do profiler "$p" "start,event=cpu,interval=1ms"; done
      client=$(pgrep -f "json $out/workload.json" | tail -1)
      profiler "$client" "start,event=cpu,interval=1ms,file=$out/bench-client.collapsed,collapsed" ) &
    sampler=$!
    bench "$out/workload.json" --topic profiled --rate 0 --warmup 5s --duration 60s --drain
    wait $sampler
    for p in $brokers; do profiler "$p" "stop,file=$out/broker-$p.collapsed,collapsed"; done ;;
esac
python3 "$root/bench/profile_summary.py" "$out"/*.collapsed | tee "$out/summary.txt"
log "results in $out"
