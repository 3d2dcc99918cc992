package io.keel.chaos.checker;

import java.util.Map;

/**
 * The checker's verdict.
 *
 * @param valid true when every anomaly expected to be absent is absent
 * @param anomalies every anomaly type with its count and examples (zero counts included)
 * @param opCounts operations by "type.outcome", e.g. "send.ok"
 */
public record CheckResult(
    boolean valid,
    Map<AnomalyType, AnomalyReport> anomalies,
    Availability availability,
    Map<String, Long> opCounts) {

  public CheckResult {
    anomalies = Map.copyOf(anomalies);
    opCounts = Map.copyOf(opCounts);
  }

  public long count(AnomalyType type) {
    return anomalies.get(type).count();
  }
}
