package io.keel.chaos.report;

import io.keel.chaos.checker.AnomalyReport;
import io.keel.chaos.checker.AnomalyType;
import io.keel.chaos.checker.Availability;
import io.keel.chaos.checker.CheckResult;
import java.util.Map;
import java.util.TreeMap;

/** The human, pasteable summary of a run (summary.txt and the top of index.html). */
final class Summary {
  private Summary() {}

  static String render(RunInfo info, CheckResult result, Map<AnomalyType, Boolean> counted) {
    StringBuilder out = new StringBuilder();
    long anomalies =
        result.anomalies().entrySet().stream()
            .filter(e -> counted.get(e.getKey()))
            .mapToLong(e -> e.getValue().count())
            .sum();
    out.append(
        "Keel chaos run %s: %s%n"
            .formatted(
                info.runId(), result.valid() ? "VALID" : "INVALID (" + anomalies + " anomalies)"));
    out.append("seed %d%nreplay: %s%n".formatted(info.seed(), info.replayCommand()));
    out.append(
        "nodes %d (%s network), workload %s, idempotence %s, duration %s%n"
            .formatted(
                info.nodes(),
                info.network(),
                info.workload(),
                info.idempotence() ? "on" : "off",
                info.duration()));
    out.append(
        "faults %s%s%n"
            .formatted(
                info.faults(),
                info.skippedFaults().isEmpty()
                    ? ""
                    : " (skipped here: " + info.skippedFaults() + ")"));
    out.append("started %s, took %.1fs%n%n".formatted(info.startedAt(), info.elapsedSeconds()));
    operations(out, result);
    anomalies(out, result, counted);
    availability(out, result.availability());
    if (!info.notes().isEmpty()) {
      out.append("%nNotes:%n".formatted());
      info.notes().forEach(n -> out.append("  - ").append(n).append('\n'));
    }
    return out.toString();
  }

  private static void operations(StringBuilder out, CheckResult result) {
    out.append("Operations (ok / fail / info):\n");
    Map<String, long[]> byType = new TreeMap<>();
    result
        .opCounts()
        .forEach(
            (key, n) -> {
              int dot = key.lastIndexOf('.');
              long[] c = byType.computeIfAbsent(key.substring(0, dot), k -> new long[3]);
              switch (key.substring(dot + 1)) {
                case "ok" -> c[0] += n;
                case "fail" -> c[1] += n;
                default -> c[2] += n;
              }
            });
    byType.forEach(
        (type, c) -> out.append("  %-13s %8d / %6d / %6d%n".formatted(type, c[0], c[1], c[2])));
  }

  private static void anomalies(
      StringBuilder out, CheckResult result, Map<AnomalyType, Boolean> counted) {
    out.append("\nAnomalies:\n");
    for (AnomalyType t : AnomalyType.values()) {
      AnomalyReport r = result.anomalies().get(t);
      String note = counted.get(t) ? "" : "  (expected without idempotence; not counted)";
      out.append("  %-20s %6d%s%n".formatted(t, r.count(), note));
      r.examples().forEach(e -> out.append("      e.g. ").append(e).append('\n'));
    }
  }

  private static String seconds(double s) {
    return Double.isNaN(s) || Double.isInfinite(s) ? "  never" : "%6.2fs".formatted(s);
  }

  private static void availability(StringBuilder out, Availability a) {
    out.append("\nLongest window without an acknowledged send:\n");
    for (Availability.WriteGap g : a.longestWriteGaps()) {
      out.append(
          "  p%-3d %7.2fs  (%.2fs .. %.2fs)%n"
              .formatted(g.partition(), g.seconds(), g.fromSeconds(), g.toSeconds()));
    }
    out.append(
        "\nFaults (start, held, stall: start to the next ack on every partition written before"
            + " it, first acknowledged send after heal, heal to the next ack on every partition"
            + " it stopped, non-retriable client errors during it):\n");
    for (Availability.FaultWindow f : a.faults()) {
      out.append(
          "  %8.2fs  held %6.2fs  stall %s  recovered %s  back-to-ack %s  errors %d  %s: %s%n"
              .formatted(
                  f.startSeconds(),
                  f.healSeconds() - f.startSeconds(),
                  seconds(f.stallSeconds()),
                  seconds(f.recoverySeconds()),
                  seconds(f.backSeconds()),
                  f.nonRetriableErrors(),
                  f.name(),
                  f.detail()));
    }
    out.append(
        "\nStall per fault, faults starting %.0fs or more after the previous heal (p50 / p99 / max):%n"
            .formatted(Availability.SETTLED_SECONDS));
    for (Availability.StallStats s : a.stallsByFault(Availability.SETTLED_SECONDS)) {
      out.append(
          "  %-18s n=%-3d %s / %s / %s%n"
              .formatted(
                  s.name(), s.count(), seconds(s.p50()), seconds(s.p99()), seconds(s.max())));
    }
    out.append("\nHeal to the next ack on the partitions each fault stopped (p50 / p99 / max):\n");
    for (Availability.StallStats s : a.backToAckByFault(Availability.SETTLED_SECONDS)) {
      out.append(
          "  %-18s n=%-3d %s / %s / %s%n"
              .formatted(
                  s.name(), s.count(), seconds(s.p50()), seconds(s.p99()), seconds(s.max())));
    }
  }
}
