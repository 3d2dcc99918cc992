package io.keel.chaos.checker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The votes and leaderships every node logged over the whole run, all its incarnations included (a
 * node's log file is appended to across restarts and survives a wiped data directory). A node logs
 * a vote only after it is durable and sent, so a missing line can hide an anomaly but a line never
 * invents one.
 */
public record ElectionLog(List<Vote> votes, List<Leader> leaders) {
  private static final Pattern VOTE =
      Pattern.compile(" - vote group=(\\d+) term=(\\d+) candidate=(\\d+)$");
  private static final Pattern LEADER = Pattern.compile(" - leader group=(\\d+) term=(\\d+)$");

  /** {@code node} granted its vote in {@code term} of {@code group} to {@code candidate}. */
  public record Vote(int node, long group, long term, int candidate) {}

  /** {@code node} became leader of {@code group} in {@code term}. */
  public record Leader(int node, long group, long term) {}

  public ElectionLog {
    votes = List.copyOf(votes);
    leaders = List.copyOf(leaders);
  }

  public static ElectionLog none() {
    return new ElectionLog(List.of(), List.of());
  }

  /** Parses node id -> broker log file; a missing file contributes nothing. */
  public static ElectionLog read(Map<Integer, Path> logs) {
    List<Vote> votes = new ArrayList<>();
    List<Leader> leaders = new ArrayList<>();
    logs.forEach(
        (node, file) -> {
          if (!Files.exists(file)) {
            return;
          }
          try (var lines = Files.lines(file)) {
            lines.forEach(line -> parse(node, line, votes, leaders));
          } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException(
                "reading " + file, e instanceof IOException io ? io : new IOException(e));
          }
        });
    return new ElectionLog(votes, leaders);
  }

  static void parse(int node, String line, List<Vote> votes, List<Leader> leaders) {
    Matcher v = VOTE.matcher(line);
    if (v.find()) {
      votes.add(
          new Vote(
              node,
              Long.parseLong(v.group(1)),
              Long.parseLong(v.group(2)),
              Integer.parseInt(v.group(3))));
      return;
    }
    Matcher l = LEADER.matcher(line);
    if (l.find()) {
      leaders.add(new Leader(node, Long.parseLong(l.group(1)), Long.parseLong(l.group(2))));
    }
  }
}
