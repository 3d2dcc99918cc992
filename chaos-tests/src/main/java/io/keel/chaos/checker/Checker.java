package io.keel.chaos.checker;

import io.keel.chaos.history.History;
import io.keel.chaos.history.Op;
import io.keel.chaos.history.Operation;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Pure function from a history (and the replicas' final logs) to a verdict. */
public final class Checker {
  private final CheckerConfig config;

  public Checker(CheckerConfig config) {
    this.config = config;
  }

  public CheckResult check(History history, ReplicaLogs replicas) {
    return check(history, replicas, ElectionLog.none());
  }

  /** Also checks the votes and leaderships the nodes logged. */
  public CheckResult check(History history, ReplicaLogs replicas, ElectionLog elections) {
    List<Operation> ops = history.operations();
    Anomalies anomalies = new Anomalies(config.maxExamples());
    new QueueChecks(ops, replicas, anomalies).run();
    new OffsetChecks(ops, anomalies).run();
    ReplicaChecks.run(replicas, anomalies);
    ElectionChecks.run(elections, anomalies);
    DiskFullChecks.run(ops, anomalies);
    new TaskQueueChecks(ops, anomalies).run();
    Map<AnomalyType, AnomalyReport> reports = anomalies.reports();
    boolean valid =
        reports.entrySet().stream()
            .filter(e -> counts(e.getKey()))
            .allMatch(e -> e.getValue().count() == 0);
    return new CheckResult(valid, reports, AvailabilityAnalysis.analyse(ops), opCounts(ops));
  }

  /** Whether an anomaly of this type makes the run invalid under this configuration. */
  public boolean counts(AnomalyType type) {
    return type != AnomalyType.DUPLICATE || config.expectNoDuplicates();
  }

  private static Map<String, Long> opCounts(List<Operation> ops) {
    Map<String, Long> counts = new TreeMap<>();
    for (Operation o : ops) {
      String key = typeName(o.op()) + "." + o.outcome().name().toLowerCase(Locale.ROOT);
      counts.merge(key, 1L, Long::sum);
    }
    return counts;
  }

  /** The JSON name of an op type ("send", "final-read", ...). */
  public static String typeName(Op op) {
    return switch (op) {
      case Op.Send s -> "send";
      case Op.Poll p -> "poll";
      case Op.Commit c -> "commit";
      case Op.ReadOffsets r -> "read-offsets";
      case Op.FinalRead f -> "final-read";
      case Op.Assign a -> "assign";
      case Op.Fault f -> "fault";
      case Op.TaskQueueSetup t -> "task-queue-setup";
      case Op.Enqueue e -> "enqueue";
      case Op.Acquire a -> "acquire";
      case Op.Acknowledge a -> "acknowledge";
      case Op.DeadLetters d -> "dead-letters";
      case Op.WorkerCrash c -> "worker-crash";
    };
  }
}
