package io.keel.chaos.report;

import java.util.List;

/**
 * What was run, for the report header.
 *
 * @param network "netns" or "proxy"
 * @param skippedFaults requested faults this environment cannot inject
 * @param notes anything unusual during the run (e.g. a node that did not come back)
 */
public record RunInfo(
    String runId,
    long seed,
    String replayCommand,
    int nodes,
    String network,
    String workload,
    boolean idempotence,
    String duration,
    String faults,
    List<String> skippedFaults,
    String startedAt,
    double elapsedSeconds,
    List<String> notes) {
  public RunInfo {
    skippedFaults = List.copyOf(skippedFaults);
    notes = List.copyOf(notes);
  }
}
