package io.keel.chaos.net;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of everything a run creates outside the JVM. All start with {@code keel-<runId>-} so a
 * later run can find and remove leftovers. Interface names stay within Linux's 15 characters.
 */
public final class ResourceNames {
  public static final String PREFIX = "keel-";

  /** Marker on every broker command line: {@code -Dkeel.chaos.run=<runId>}. */
  public static final String PROCESS_MARKER = "-Dkeel.chaos.run=";

  private static final Pattern RUN_ID = Pattern.compile("[0-9a-f]{6}");
  private static final Pattern OWNED = Pattern.compile("keel-([0-9a-f]{6})-.*");

  private ResourceNames() {}

  public static String checkRunId(String runId) {
    if (!RUN_ID.matcher(runId).matches()) {
      throw new IllegalArgumentException("runId must be 6 lowercase hex digits, got " + runId);
    }
    return runId;
  }

  /** Node 0 is the availability probe. */
  public static String namespace(String runId, int node) {
    return PREFIX + checkRunId(runId) + "-n" + node;
  }

  public static String veth(String runId, int node) {
    return PREFIX + checkRunId(runId) + "-v" + node;
  }

  public static String bridge(String runId) {
    return PREFIX + checkRunId(runId) + "-br";
  }

  /** The run that created a resource with this name, if it is one of ours. */
  public static Optional<String> runIdOf(String name) {
    Matcher m = OWNED.matcher(name);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** The run marked on a process's command line, if any. */
  public static Optional<String> runIdOfCommandLine(String commandLine) {
    int at = commandLine.indexOf(PROCESS_MARKER);
    if (at < 0) {
      return Optional.empty();
    }
    int from = at + PROCESS_MARKER.length();
    String id = commandLine.substring(from, Math.min(commandLine.length(), from + 6));
    return RUN_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
  }
}
