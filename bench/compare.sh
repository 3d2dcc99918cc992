#!/usr/bin/env bash
# Keel against Apache Kafka 4.3.1 on this machine, with one load generator (`keel bench`, whose
# Kafka driver uses kafka-clients), in one sitting: N rounds, each starting a fresh 3-node Kafka
# KRaft cluster and a fresh 3-node Keel cluster (`keel dev`) in turn (never both at once, the order
# alternating per round), and running the same workloads on each: RF 3, acks=all, 1 KiB records,
# 6 partitions. Prints a table of medians over the rounds and Keel/Kafka ratios, plus the brokers'
# CPU time per million messages (utime+stime from /proc/<pid>/stat of the broker processes).
#
#   bench/compare.sh                    # N=3 rounds, Keel with fsync always
#   bench/compare.sh --quick            # one short round (a smoke test of the script)
#   bench/compare.sh --fsync never      # Keel with fsync never ("both": each round runs both)
#   bench/compare.sh --rounds 2 --duration 15s --warmup 5s
#   bench/compare.sh --no-overload      # skip the 2x-capacity run
#   bench/compare.sh --cluster-warmup 0s   # measure cold JVMs (default: 60 s of discarded load first)
#
# Why the cluster warm-up: a fresh broker JVM spends its first minute or so compiling (C2 took most
# of Keel's broker CPU for ~70 s in a profile, docs/benchmarks.md), so short workloads on a fresh
# cluster measure the JIT, not the system. Each fresh cluster first takes max-rate publishes to a
# throwaway topic for this long; nothing from it is reported.
#
# Ports: Kafka 19391-19396 (client/controller per node), Keel 19300-19302 (gRPC), 19350-19352 (HTTP).
# Output: bench/target/compare/<run id>/ (bench JSON per workload, cluster logs, table.md).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bin/find-jdk.sh"
JAVA="$JAVA_HOME/bin/java"

rounds=3 fsync=always warmup=5s duration=20s serial=2000 overload=1 build=1 cluster_warmup=60s
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --fsync) fsync=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --serial) serial=$2; shift 2 ;;
    --cluster-warmup) cluster_warmup=$2; shift 2 ;;
    --quick) rounds=1 warmup=2s duration=5s serial=300 cluster_warmup=0s; shift ;;
    --no-overload) overload=0; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$fsync" in always) keel_modes=(always) ;; never) keel_modes=(never) ;;
  both) keel_modes=(always never) ;; *) echo "--fsync must be always, never or both" >&2; exit 2 ;; esac

run_id=$(date -u +%Y%m%dT%H%M%SZ)
out="$root/bench/target/compare/$run_id"
mkdir -p "$out"
log() { echo "compare [$(date -u +%H:%M:%S)] $*" >&2; }

# ------------------------------------------------------------------ build
kafka_lib="$root/bench/target/kafka-lib"
if [[ $build == 1 ]]; then
  log "building the keel distribution and the bench module (log: $out/build.log)"
  "$root/mvnw" -B -q -DskipTests -Dspotless.check.skip=true -pl cli,bench -am package \
    > "$out/build.log" 2>&1 || { tail -30 "$out/build.log" >&2; exit 1; }
fi
if [[ ! -f "$kafka_lib/.complete" || "$root/bench/kafka/pom.xml" -nt "$kafka_lib/.complete" ]]; then
  log "collecting Kafka 4.3.1 (broker and tools) from Maven Central into $kafka_lib"
  rm -rf "$kafka_lib"
  "$root/mvnw" -B -q -f "$root/bench/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$kafka_lib" -DincludeScope=runtime > "$out/kafka-lib.log" 2>&1 \
    || { tail -30 "$out/kafka-lib.log" >&2; exit 1; }
  touch "$kafka_lib/.complete"
fi
bench_cp="$root/cli/target/keel-cli.jar:$root/cli/target/lib/*:$root/bench/target/lib/*"

# ------------------------------------------------------------------ clusters
# A round writes a few GB per system (max-rate publishes, RF 3); each cluster's data is deleted
# when it stops, and a cluster does not start on a nearly full disk.
min_free_gb=30
check_disk() { # dir
  local free_gb
  free_gb=$(df -P -BG "$1" | awk 'NR == 2 {sub("G", "", $4); print $4}')
  if [[ $free_gb -lt $min_free_gb ]]; then
    log "only ${free_gb} GB free under $1 (need $min_free_gb): stopping before the disk fills"; exit 1
  fi
}
free_data() { # data dir of a stopped cluster; its logs stay
  rm -rf "$1"
}
started_pids=()   # every process this script started; the trap stops only these
cleanup() {
  for pid in "${started_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap "exit 130" INT TERM

wait_gone() { # pid, seconds
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.5; done
  kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null || true
}

KAFKA_NODES=(1 2 3)
kafka_client_port() { echo $((19389 + 2 * $1)); }     # 19391, 19393, 19395
kafka_controller_port() { echo $((19390 + 2 * $1)); } # 19392, 19394, 19396
kafka_bootstrap="127.0.0.1:19391,127.0.0.1:19393,127.0.0.1:19395"
kafka_tool() {
  "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$root/bench/kafka/log4j2-tools.properties" \
    -cp "$kafka_lib/*" "$@"
}
kafka_pids=()
start_kafka() { # dir
  local dir=$1 voters="" id n nd
  for n in "${KAFKA_NODES[@]}"; do voters+="${voters:+,}$n@127.0.0.1:$(kafka_controller_port "$n")"; done
  id=$(kafka_tool kafka.tools.StorageTool random-uuid | tail -1)
  kafka_pids=()
  for n in "${KAFKA_NODES[@]}"; do
    nd="$dir/node-$n"; mkdir -p "$nd/logs"
    cat > "$nd/server.properties" <<PROPS
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$(kafka_client_port "$n"),CONTROLLER://127.0.0.1:$(kafka_controller_port "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(kafka_client_port "$n")
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$nd/data
num.partitions=6
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
    kafka_tool kafka.tools.StorageTool format -t "$id" -c "$nd/server.properties" > "$nd/logs/format.out" 2>&1
  done
  for n in "${KAFKA_NODES[@]}"; do
    nd="$dir/node-$n"
    # Kafka's own start-script defaults: 1 GiB heap, G1.
    setsid "$JAVA" -Xms1g -Xmx1g -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 \
      -Djava.awt.headless=true -Dkafka.logs.dir="$nd/logs" \
      -Dlog4j2.configurationFile="$root/bench/kafka/log4j2-broker.properties" \
      -cp "$kafka_lib/*" kafka.Kafka "$nd/server.properties" > "$nd/logs/stdout.log" 2>&1 < /dev/null &
    kafka_pids+=($!); started_pids+=($!)
  done
  local deadline=$((SECONDS + 120)) ready
  while :; do
    for pid in "${kafka_pids[@]}"; do kill -0 "$pid" 2>/dev/null || { log "a Kafka node died; see $dir"; exit 1; }; done
    ready=$(kafka_tool org.apache.kafka.tools.ClusterTool list-endpoints --bootstrap-server "$kafka_bootstrap" 2>/dev/null | grep -cw unfenced || true)
    [[ $ready -ge 3 ]] && break
    [[ $SECONDS -ge $deadline ]] && { log "Kafka not ready after 120 s; see $dir"; exit 1; }
    sleep 1
  done
}
stop_kafka() { # dir
  local n
  for pid in "${kafka_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${kafka_pids[@]}"; do wait_gone "$pid" 60; done
  for n in "${KAFKA_NODES[@]}"; do free_data "$1/node-$n/data"; done
}

keel_bootstrap="127.0.0.1:19300,127.0.0.1:19301,127.0.0.1:19302"
keel_dev_pid=""
start_keel() { # dir fsync
  local dir=$1 mode=$2
  mkdir -p "$dir"
  setsid "$root/keel" dev --nodes 3 --port 19300 --http-port 19350 --data-dir "$dir/data" \
    --fsync "$mode" > "$dir/dev.out" 2>&1 < /dev/null &
  keel_dev_pid=$!; started_pids+=($!)
  local deadline=$((SECONDS + 120))
  until grep -q "ready in" "$dir/dev.out"; do
    kill -0 "$keel_dev_pid" 2>/dev/null || { log "keel dev exited; see $dir/dev.out"; tail -5 "$dir/dev.out" >&2; exit 1; }
    [[ $SECONDS -ge $deadline ]] && { log "Keel not ready after 120 s"; exit 1; }
    sleep 0.5
  done
}
keel_pids() { local n; for n in 1 2 3; do awk '{print $1; exit}' "$1/data/node-$n/broker.pid"; done; }
stop_keel() { # dir
  kill -TERM "$keel_dev_pid" 2>/dev/null || true
  wait_gone "$keel_dev_pid" 60
  free_data "$1/data"
}

# ------------------------------------------------------------------ workloads
bench() { # system bootstrap pids json-file args...
  local system=$1 bootstrap=$2 pids=$3 json=$4; shift 4
  "$JAVA" -Xmx1g -cp "$bench_cp" io.keel.cli.KeelMain bench --system "$system" -b "$bootstrap" \
    --broker-pids "$pids" --partitions 6 --replication-factor 3 --message-size 1024 --acks all \
    --batch-size 131072 --json "$json" "$@" 2> >(sed "s/^/    /" >&2) > /dev/null
}
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# Runs every workload on a running cluster; results in $dir/*.json.
workloads() { # label system bootstrap pids dir
  local label=$1 system=$2 bootstrap=$3 pids=$4 dir=$5 rate r
  if [[ $cluster_warmup != 0s ]]; then
    log "$label: warming the fresh cluster up for $cluster_warmup (max-rate publishes, discarded)"
    bench "$system" "$bootstrap" "$pids" "$dir/cluster-warmup.json" --topic warm --consumers 0 --rate 0 \
      --linger-ms 5 --warmup 0s --duration "$cluster_warmup"
  fi
  log "$label: publish at max rate, then consume the backlog"
  bench "$system" "$bootstrap" "$pids" "$dir/publish.json" --topic pub --consumers 0 --rate 0 --linger-ms 5 \
    --warmup "$warmup" --duration "$duration" --drain
  log "$label: one message at a time ($serial)"
  bench "$system" "$bootstrap" "$pids" "$dir/serial.json" --topic serial --serial "$serial" --linger-ms 0
  for r in 5000 10000; do
    log "$label: fixed $r msg/s"
    bench "$system" "$bootstrap" "$pids" "$dir/rate$r.json" --topic "r$r" --consumers 0 --linger-ms 5 \
      --rate "$r" --warmup "$warmup" --duration "$duration"
  done
  if [[ $overload == 1 && $system == keel ]]; then
    rate=$(json_get "$dir/publish.json" "int(2 * d['publishMsgPerSec'])")
    log "$label: overload at 2x the measured capacity ($rate msg/s)"
    bench "$system" "$bootstrap" "$pids" "$dir/overload.json" --topic over --consumers 0 --linger-ms 5 \
      --rate "$rate" --warmup 0s --duration "$duration" || true
  fi
}

run_kafka() { # round
  local dir="$out/round-$1/kafka"; mkdir -p "$dir"
  check_disk "$dir"
  log "round $1: starting Kafka 4.3.1 (3 KRaft nodes)"
  start_kafka "$dir"
  workloads "round $1 kafka" kafka "$kafka_bootstrap" "$(IFS=,; echo "${kafka_pids[*]}")" "$dir"
  stop_kafka "$dir"
}
run_keel() { # round fsync
  local dir="$out/round-$1/keel-$2"; mkdir -p "$dir"
  check_disk "$dir"
  log "round $1: starting Keel (3 nodes, fsync $2)"
  start_keel "$dir" "$2"
  workloads "round $1 keel-$2" keel "$keel_bootstrap" "$(keel_pids "$dir" | paste -sd,)" "$dir"
  stop_keel "$dir"
}

for ((r = 1; r <= rounds; r++)); do
  if ((r % 2 == 1)); then
    run_kafka "$r"; for m in "${keel_modes[@]}"; do run_keel "$r" "$m"; done
  else
    for m in "${keel_modes[@]}"; do run_keel "$r" "$m"; done; run_kafka "$r"
  fi
done

# ------------------------------------------------------------------ table
python3 "$root/bench/summarize.py" "$out" "${keel_modes[@]}" | tee "$out/table.md"
log "results in $out"
