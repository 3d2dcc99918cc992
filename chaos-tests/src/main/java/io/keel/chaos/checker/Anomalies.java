package io.keel.chaos.checker;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Accumulates anomalies: counts everything, keeps the first maxExamples descriptions of each. */
final class Anomalies {
  private final int maxExamples;
  private final Map<AnomalyType, Long> counts = new EnumMap<>(AnomalyType.class);
  private final Map<AnomalyType, List<String>> examples = new EnumMap<>(AnomalyType.class);

  Anomalies(int maxExamples) {
    this.maxExamples = maxExamples;
    for (AnomalyType t : AnomalyType.values()) {
      counts.put(t, 0L);
      examples.put(t, new ArrayList<>());
    }
  }

  void add(AnomalyType type, String example) {
    counts.merge(type, 1L, Long::sum);
    List<String> list = examples.get(type);
    if (list.size() < maxExamples) {
      list.add(example);
    }
  }

  Map<AnomalyType, AnomalyReport> reports() {
    Map<AnomalyType, AnomalyReport> out = new EnumMap<>(AnomalyType.class);
    for (AnomalyType t : AnomalyType.values()) {
      out.put(t, new AnomalyReport(counts.get(t), examples.get(t)));
    }
    return out;
  }
}
