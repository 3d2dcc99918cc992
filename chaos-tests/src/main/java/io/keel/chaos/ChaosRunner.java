package io.keel.chaos;

import io.keel.chaos.checker.CheckResult;
import io.keel.chaos.checker.Checker;
import io.keel.chaos.checker.CheckerConfig;
import io.keel.chaos.checker.ElectionLog;
import io.keel.chaos.checker.ReplicaLogs;
import io.keel.chaos.cluster.ClusterHarness;
import io.keel.chaos.cluster.ClusterSpec;
import io.keel.chaos.fs.LazyFs;
import io.keel.chaos.history.History;
import io.keel.chaos.history.HistoryRecorder;
import io.keel.chaos.history.RunClock;
import io.keel.chaos.nemesis.FaultKind;
import io.keel.chaos.nemesis.Nemesis;
import io.keel.chaos.nemesis.Pacer;
import io.keel.chaos.nemesis.Planner;
import io.keel.chaos.net.RunIds;
import io.keel.chaos.report.ProgressReporter;
import io.keel.chaos.report.RunInfo;
import io.keel.chaos.report.RunReport;
import io.keel.chaos.workload.Workload;
import io.keel.chaos.workload.WorkloadContext;
import io.keel.chaos.workload.Workloads;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Runs one chaos test: a real cluster, a workload, a seeded nemesis for the duration, heal, final
 * read, check, report. The seed and the command that replays the run are printed first.
 */
public final class ChaosRunner {
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration FINAL_READ_TIMEOUT = Duration.ofMinutes(2);
  private static final DateTimeFormatter DIR_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final ChaosOptions options;
  private final Workload workload;
  private final PrintStream out;
  private final String runId = RunIds.random();
  private final List<String> notes = new ArrayList<>();

  private ChaosRunner(ChaosOptions options, Workload workload, PrintStream out) {
    this.options = options;
    this.workload = workload;
    this.out = out;
  }

  /** Entry point for `keel chaos`. */
  public static ChaosResult run(ChaosOptions options) {
    return run(
        options, Workloads.create(options.workload(), options.unsafeLeaderAcks()), System.out);
  }

  public static ChaosResult run(ChaosOptions options, Workload workload, PrintStream out) {
    try (workload) {
      return new ChaosRunner(options, workload, out).execute();
    }
  }

  /** What the cluster phase hands to checking and reporting. */
  private record Outcome(
      String network,
      List<String> skippedFaults,
      List<Path> logs,
      RunClock clock,
      History history,
      ReplicaLogs replicas) {}

  private ChaosResult execute() {
    out.println("Keel chaos run " + runId + " seed " + options.seed());
    out.println("Replay: " + options.replayCommand());
    Instant started = Instant.now();
    Path runDir = options.outputDir().resolve(DIR_TIME.format(started) + "-" + runId);
    createDirectories(runDir);
    out.println("Report: " + runDir.resolve(RunReport.INDEX));
    try {
      return report(runDir, started, runCluster(runDir));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("chaos run " + runId + " interrupted", e);
    } catch (Exception e) {
      throw new IllegalStateException("chaos run " + runId + " failed: " + e.getMessage(), e);
    }
  }

  private Outcome runCluster(Path runDir) throws Exception {
    long startNanos = System.nanoTime();
    boolean lazyDisks = lazyDisks();
    try (ClusterHarness cluster = ClusterHarness.start(runId, spec(runDir, lazyDisks))) {
      String network = cluster.network().kind();
      if (network.equals("proxy") && options.brokerMainClass().equals(ClusterSpec.BROKER_MAIN)) {
        notes.add(
            "proxy network: Keel brokers dial peers at the internal addresses registered in"
                + " metadata, not through the per-link proxies, so partition faults do not cut"
                + " broker-to-broker traffic in this mode (use netns)");
      }
      out.printf(
          "Cluster of %d ready in %.1fs (%s network)%n",
          options.nodes(), (System.nanoTime() - startNanos) / 1e9, network);
      List<Path> logs = cluster.nodeIds().stream().map(cluster::logFile).toList();
      List<String> skipped =
          Nemesis.skippedKinds(options.faults(), cluster).stream().map(FaultKind::cliName).toList();
      // History time starts with the workload, so charts begin at zero.
      RunClock clock = RunClock.startingNow();
      try (HistoryRecorder recorder =
          HistoryRecorder.toFile(runDir.resolve(RunReport.HISTORY), clock)) {
        ReplicaLogs replicas = drive(cluster, recorder, runDir);
        return new Outcome(network, skipped, logs, clock, recorder.snapshot(), replicas);
      }
    }
  }

  /** Workload and nemesis against a running cluster; returns the replicas' final logs. */
  private ReplicaLogs drive(ClusterHarness cluster, HistoryRecorder history, Path runDir)
      throws Exception {
    List<String> addresses =
        cluster.nodeIds().stream().map(id -> cluster.addresses(id).advertised()).toList();
    workload.setUp(
        new WorkloadContext(
            cluster.bootstrapServers(),
            addresses,
            history,
            options.seed(),
            options.idempotence(),
            runDir));
    Random random = new Random(options.seed());
    Planner planner =
        new Planner(random, workload.clusterView(), cluster.nodeIds(), options.netem());
    Nemesis nemesis =
        new Nemesis(
            cluster,
            history,
            planner,
            options.faults(),
            options.timing(),
            random,
            Pacer.real(),
            options.duration());
    try (ProgressReporter progress =
        new ProgressReporter(
            history,
            () -> nemesis.faultsStarted() + " faults, now: " + nemesis.currentFault(),
            out)) {
      progress.start(options.progressInterval());
      workload.start();
      Thread nemesisThread = Thread.ofPlatform().name("nemesis").start(nemesis);
      try {
        nemesisThread.join();
      } finally {
        // If we are interrupted, the nemesis must not keep injecting faults during teardown.
        nemesis.stop();
      }
      nemesis.healAll();
      awaitHealed(cluster);
      workload.stop(STOP_TIMEOUT);
      finalRead();
      out.println(progress.line());
    }
    // Clients leave their groups while the cluster still answers.
    workload.close();
    cluster.stopAll();
    ReplicaLogs replicas = replicaLogs(cluster);
    notes.addAll(workload.notes());
    return replicas;
  }

  /** Replica comparison is a bonus: a store that cannot be read is noted, not fatal. */
  private ReplicaLogs replicaLogs(ClusterHarness cluster) {
    try {
      ReplicaLogs logs = workload.replicaLogs(cluster.dataDirs());
      long replicas = logs.byPartition().values().stream().mapToLong(Map::size).sum();
      long records =
          logs.byPartition().values().stream()
              .flatMap(byNode -> byNode.values().stream())
              .mapToLong(List::size)
              .sum();
      if (replicas > 0) {
        notes.add(
            "replica logs compared offline: %d partitions, %d replicas, %d committed records"
                .formatted(logs.byPartition().size(), replicas, records));
      }
      return logs;
    } catch (Exception e) {
      notes.add("replica logs not compared: " + e);
      return ReplicaLogs.none();
    }
  }

  /** A final read that fails is a finding (acknowledged writes go unseen), not a crash. */
  private void finalRead() throws InterruptedException {
    try {
      workload.finalRead(FINAL_READ_TIMEOUT);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      notes.add("final read failed: " + e);
    }
  }

  /** After healing every node should come back; one that does not is noted, not fatal. */
  private void awaitHealed(ClusterHarness cluster) {
    for (int id : cluster.nodeIds()) {
      try {
        cluster.awaitReady(id, cluster.spec().readyTimeout());
      } catch (IllegalStateException e) {
        notes.add(
            "node "
                + id
                + " not ready after heal: "
                + e.getMessage().lines().findFirst().orElse(""));
      }
    }
  }

  /**
   * Power loss, full disks and fsync errors need each data directory on keel-lazyfs. Without FUSE
   * they are skipped, and the run says why.
   */
  private boolean lazyDisks() {
    if (!FaultKind.needLazyDisks(options.faults())) {
      return false;
    }
    LazyFs.Support fuse = LazyFs.probe();
    if (!fuse.available()) {
      String note =
          "FUSE unusable, so power-loss, disk-full and fsync-error faults are skipped: "
              + fuse.problem();
      out.println(note);
      notes.add(note);
      return false;
    }
    out.println("Data directories on keel-lazyfs (" + fuse.binary() + ")");
    return true;
  }

  private ClusterSpec spec(Path runDir, boolean lazyDisks) {
    ClusterSpec base =
        ClusterSpec.brokers(options.nodes(), runDir.resolve("cluster"), options.networkMode());
    return new ClusterSpec(
        base.nodes(),
        base.workDir(),
        base.networkMode(),
        options.brokerMainClass(),
        base.jvmArgs(),
        options.fsync(),
        base.raftTick(),
        base.readyTimeout(),
        lazyDisks,
        options.writeback(),
        workload.brokerSettings());
  }

  private ChaosResult report(Path runDir, Instant started, Outcome o) {
    Checker checker = new Checker(new CheckerConfig(options.idempotence(), 10));
    CheckResult result = checker.check(o.history(), o.replicas(), elections(o.logs()));
    RunInfo info =
        new RunInfo(
            runId,
            options.seed(),
            options.replayCommand(),
            options.nodes(),
            o.network(),
            options.workload().cliName(),
            options.idempotence(),
            Durations.format(options.duration()),
            FaultKind.format(options.faults()),
            o.skippedFaults(),
            started.toString(),
            o.clock().nanos() / 1e9,
            notes);
    String summary = RunReport.write(runDir, info, o.history(), result, checker::counts, o.logs());
    out.println(summary);
    return new ChaosResult(
        result.valid(), options.seed(), options.replayCommand(), runDir, result, summary);
  }

  /** Node logs are listed in node-id order, ids from 1. */
  private ElectionLog elections(List<Path> logs) {
    Map<Integer, Path> byNode = new TreeMap<>();
    for (int i = 0; i < logs.size(); i++) {
      byNode.put(i + 1, logs.get(i));
    }
    try {
      ElectionLog log = ElectionLog.read(byNode);
      notes.add(
          "election safety checked on %d logged votes and %d leaderships"
              .formatted(log.votes().size(), log.leaders().size()));
      return log;
    } catch (RuntimeException e) {
      notes.add("votes not checked: " + e);
      return ElectionLog.none();
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("creating run directory " + dir, e);
    }
  }
}
