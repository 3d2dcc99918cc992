package io.keel.chaos.workload;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The workloads a chaos run can drive. */
public enum WorkloadKind {
  /**
   * Producers send unique values to several partitions; a consumer group polls and commits; after
   * healing, a final consumer reads every partition from the start.
   */
  QUEUE("queue"),
  /** Concurrent commits and reads of one group's committed offsets. */
  OFFSETS("offsets"),
  /**
   * A share-group task queue: producers enqueue unique (some delayed) tasks, a pool of workers
   * accepts, releases, rejects or abandons them, a reader follows the dead-letter topic.
   */
  TASK_QUEUE("task-queue"),
  /** Queue and offsets at once (not the task queue: its writes would mix in availability). */
  ALL("all");

  private final String cliName;

  WorkloadKind(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  public static WorkloadKind parse(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(k -> k.cliName.equals(n))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "workload: unknown '"
                        + name
                        + "'; valid: "
                        + Arrays.stream(values())
                            .map(WorkloadKind::cliName)
                            .collect(Collectors.joining(", "))));
  }
}
