#!/usr/bin/env python3
"""Prints compare.sh's table: medians over rounds per system, and Keel/Kafka ratios.

Usage: summarize.py RUN_DIR KEEL_MODE... (RUN_DIR holds round-N/<system>/<workload>.json)."""
import glob
import json
import os
import statistics
import sys

run_dir, modes = sys.argv[1], sys.argv[2:]
systems = ["kafka"] + ["keel-" + m for m in modes]


def load(system, workload):
    out = []
    for path in sorted(glob.glob(os.path.join(run_dir, "round-*", system, workload + ".json"))):
        with open(path) as f:
            out.append(json.load(f))
    return out


def median(system, workload, get):
    values = [get(d) for d in load(system, workload)]
    values = [v for v in values if v is not None and v >= 0]
    return statistics.median(values) if values else None


def drain(field):
    """A drain figure; results written before the two-pass drain had one cold figure, flat."""
    def get(d):
        if "drain" in d:
            return d["drain"][field]
        return d.get("drainMsgPerSec") if field == "coldMsgPerSec" else None
    return get


# (label, workload, [getters], format, ratio of getter index)
ROWS = [
    ("publish, max rate, linger 5 ms, 128 KiB (msg/s)", "publish",
     [lambda d: d["publishMsgPerSec"]], "{:,.0f}", 0, True),
    ("consume, warm pass (msg/s)", "publish", [drain("msgPerSec")], "{:,.0f}", 0, True),
    ("consume, cold first pass (msg/s)", "publish", [drain("coldMsgPerSec")], "{:,.0f}", 0, True),
    ("one at a time, end-to-end p50 / p99 (ms)", "serial",
     [lambda d: d["endToEndLatencyMs"]["p50"], lambda d: d["endToEndLatencyMs"]["p99"]],
     "{:.2f}", 1, False),
    ("one at a time, send->ack p50 / p99 (ms)", "serial",
     [lambda d: d["publishLatencyMs"]["p50"], lambda d: d["publishLatencyMs"]["p99"]],
     "{:.2f}", 1, False),
]
for rate in (5000, 10000):
    ROWS.append((f"fixed {rate:,} msg/s warm, send->ack p50 / p99 / p99.9 (ms)", f"rate{rate}",
                 [lambda d: d["publishLatencyMs"]["p50"], lambda d: d["publishLatencyMs"]["p99"],
                  lambda d: d["publishLatencyMs"]["p999"]], "{:.2f}", 1, False))
    ROWS.append((f"fixed {rate:,} msg/s, achieved (msg/s)", f"rate{rate}",
                 [lambda d: d["publishMsgPerSec"]], "{:,.0f}", 0, True))
ROWS += [
    ("broker CPU s per million messages, max rate", "publish",
     [lambda d: d["brokerCpuSecondsPerMillionMessages"]], "{:.1f}", 0, False),
    ("broker CPU s per million messages, 5,000 msg/s", "rate5000",
     [lambda d: d["brokerCpuSecondsPerMillionMessages"]], "{:.1f}", 0, False),
    ("largest broker RSS at max rate (MiB)", "publish",
     [lambda d: d["brokerMaxRssMiB"]], "{:.0f}", 0, False),
]

rounds = len(glob.glob(os.path.join(run_dir, "round-*")))
print(f"Medians of {rounds} round(s); ratio = Keel / Kafka "
      "(throughput: higher is better; latency, CPU, RSS: lower is better).\n")
header = "| workload | " + " | ".join(systems) + " | " + " | ".join(
    f"{s} / kafka" for s in systems[1:]) + " |"
print(header)
print("|" + " --- |" * (1 + 2 * len(systems) - 1))
for label, workload, getters, fmt, ratio_of, _ in ROWS:
    cells, ratio_base = [], {}
    for s in systems:
        vals = [median(s, workload, g) for g in getters]
        ratio_base[s] = vals[ratio_of]
        cells.append(" / ".join("-" if v is None else fmt.format(v) for v in vals))
    ratios = []
    for s in systems[1:]:
        k, v = ratio_base["kafka"], ratio_base[s]
        ratios.append("-" if not k or v is None else f"{v / k:.2f}x")
    print(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")

for s in systems[1:]:
    runs = load(s, "overload")
    if not runs:
        continue
    print(f"\nOverload, {s}: 2x the measured max rate, per round:")
    for d in runs:
        w = d["workload"]
        print(f"- offered {w['ratePerSec']:,} msg/s: acknowledged {d['publishMsgPerSec']:,.0f} msg/s, "
              f"send->ack p50 {d['publishLatencyMs']['p50']:.0f} ms, p99 "
              f"{d['publishLatencyMs']['p99']:.0f} ms, max {d['publishLatencyMs']['max']:.0f} ms; "
              f"errors {d['sendErrors']:,} {d['sendErrorsByType'] or ''}; "
              f"largest broker RSS {d['brokerMaxRssMiB']:.0f} MiB")
