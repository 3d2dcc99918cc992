package io.keel.chaos.checker;

import java.util.List;

/** How many times one anomaly occurred, with up to a configured number of examples. */
public record AnomalyReport(long count, List<String> examples) {
  public AnomalyReport {
    examples = List.copyOf(examples);
  }
}
