#!/usr/bin/env python3
"""Summarizes async-profiler collapsed stacks (bench/profile.sh): CPU share by activity and the
hottest leaf frames, per file and for all broker files together.

Each sample counts once, in the first activity whose marker its stack contains, so the shares of
one file add up to 100 %. Usage: profile_summary.py FILE.collapsed...
"""
import collections
import os
import sys

# (activity, stack substrings): earlier rows win, so a page-cache copy under a segment append is
# "segment writes into the page cache", not "Raft event loop".
ACTIVITIES = [
    ("JIT compiler", ["CompileBroker::"]),
    ("GC", ["G1", "GCTaskThread"]),
    ("segment writes into the page cache", ["SegmentFile.lambda$append"]),
    ("fsync (segments, WAL)", ["do_fsync", "LogStore.sync", "GroupCommit.sync", "Rocks.syncWal"]),
    ("segment reads (fetch, apply)", ["SegmentFile.read", "PartitionLog.read"]),
    ("RocksDB (index, hard state)", ["rocksdb::", "Rocks.write", "Rocks.get"]),
    ("gRPC message framing (copies into Netty buffers)", ["MessageFramer.write"]),
    ("protobuf parsing", ["MessageMarshaller.parse"]),
    ("Raft event loop (other)", ["io/keel/broker/raft/EventLoop.run"]),
    ("Raft peer links", ["PeerLink"]),
    ("socket writes (Netty)", ["NioSocketChannel.doWrite"]),
    ("socket reads (Netty)", ["NioByteUnsafe.read"]),
    ("Netty event loop (other)", ["SingleThreadIoEventLoop.run"]),
    ("gRPC executors (handlers)", ["SerializingExecutor.run"]),
    ("consumer poll (decode)", ["KeelConsumer.poll"]),
    ("producer", ["KeelProducer", "RecordAccumulator", "Sender.run"]),
    ("thread-pool hand-offs (queue waits, wake-ups)", ["ThreadPoolExecutor.getTask"]),
    ("other thread pools", ["ThreadPoolExecutor$Worker.run", "ForkJoinWorkerThread"]),
]


def read(path):
    stacks = collections.Counter()
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if stack and count.isdigit():
                stacks[stack] += int(count)
    return stacks


def activity(stack):
    for name, markers in ACTIVITIES:
        if any(m in stack for m in markers):
            return name
    return "other"


def summarize(title, stacks, top=12):
    total = sum(stacks.values())
    print(f"== {title}: {total:,} samples (1 ms of CPU each)")
    if total == 0:
        return
    shares = collections.Counter()
    leaves = collections.Counter()
    for stack, n in stacks.items():
        shares[activity(stack)] += n
        leaves[stack.rsplit(";", 1)[-1]] += n
    for name, n in shares.most_common():
        print(f"  {100 * n / total:5.1f} %  {name}")
    print("  hottest leaf frames:")
    for frame, n in leaves.most_common(top):
        print(f"  {100 * n / total:5.1f} %  {frame[:110]}")


def main(paths):
    if not paths:
        sys.exit("usage: profile_summary.py FILE.collapsed...")
    brokers = collections.Counter()
    broker_files = 0
    for path in paths:
        stacks = read(path)
        summarize(os.path.basename(path), stacks)
        if os.path.basename(path).startswith("broker-"):
            brokers.update(stacks)
            broker_files += 1
    if broker_files > 1:
        summarize("all brokers", brokers)


if __name__ == "__main__":
    main(sys.argv[1:])
