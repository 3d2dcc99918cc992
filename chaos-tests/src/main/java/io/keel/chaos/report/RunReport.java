package io.keel.chaos.report;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.keel.chaos.checker.AnomalyType;
import io.keel.chaos.checker.CheckResult;
import io.keel.chaos.history.History;
import io.keel.chaos.history.HistoryJson;
import io.keel.chaos.history.Operation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One directory per run: history.jsonl, result.json, summary.txt, throughput.png, latency.png and
 * index.html tying them together.
 */
public final class RunReport {
  public static final String HISTORY = "history.jsonl";
  public static final String RESULT = "result.json";
  public static final String SUMMARY = "summary.txt";
  public static final String THROUGHPUT = "throughput.png";
  public static final String LATENCY = "latency.png";
  public static final String INDEX = "index.html";

  private RunReport() {}

  /** What result.json holds. */
  public record Json(RunInfo run, CheckResult result) {}

  /**
   * Writes every file but the history (unless missing: the recorder normally streams it) and
   * returns the summary text.
   *
   * @param counts whether an anomaly type makes the run invalid (duplicates may be expected)
   * @param logs node log files to link from index.html
   */
  public static String write(
      Path dir,
      RunInfo info,
      History history,
      CheckResult result,
      Predicate<AnomalyType> counts,
      List<Path> logs) {
    // Charts render without a display; must be set before AWT initialises.
    System.setProperty("java.awt.headless", "true");
    try {
      Files.createDirectories(dir);
      if (!Files.exists(dir.resolve(HISTORY))) {
        history.writeJsonLines(dir.resolve(HISTORY));
      }
      HistoryJson.mapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(dir.resolve(RESULT).toFile(), new Json(info, result));
      Map<AnomalyType, Boolean> counted = new EnumMap<>(AnomalyType.class);
      for (AnomalyType t : AnomalyType.values()) {
        counted.put(t, counts.test(t));
      }
      String summary = Summary.render(info, result, counted);
      Files.writeString(dir.resolve(SUMMARY), summary);
      List<Operation> ops = history.operations();
      double end = history.events().isEmpty() ? 0 : history.events().getLast().timeSeconds();
      var faults = result.availability().faults();
      Plots.throughput(ops, faults, end, dir.resolve(THROUGHPUT));
      Plots.latency(ops, faults, end, dir.resolve(LATENCY));
      Files.writeString(dir.resolve(INDEX), IndexPage.render(info, result, summary, dir, logs));
      return summary;
    } catch (IOException e) {
      throw new UncheckedIOException("writing report to " + dir, e);
    }
  }
}
