package io.keel.cli;

import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * When a reading command ({@code keel consume}, {@code keel share consume}) stops and how it
 * prints: after {@code --max-messages} records, after {@code --timeout} without a new record, in
 * {@code --format}.
 */
final class ReadLimits {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  private Long maxMessages;

  @Option(
      names = {"-t", "--timeout"},
      converter = Durations.class,
      description = "Exit when nothing new arrives for this long (e.g. 10s).")
  Duration timeout;

  @Option(
      names = {"-f", "--format"},
      defaultValue = "%v\\n",
      description = "Record format.")
  String format;

  @Option(
      names = {"-n", "--max-messages"},
      paramLabel = "N",
      description = "Exit after printing this many records.")
  void maxMessages(long n) {
    if (n < 1) {
      throw new ParameterException(
          spec.commandLine(), "--max-messages must be at least 1, was " + n);
    }
    maxMessages = n;
  }

  /** True once {@code printed} records reach {@code --max-messages}. */
  boolean reached(long printed) {
    return maxMessages != null && printed >= maxMessages;
  }

  /** At most this many records are still wanted (Long.MAX_VALUE without --max-messages). */
  long remaining(long printed) {
    return maxMessages == null ? Long.MAX_VALUE : maxMessages - printed;
  }

  /** The {@code System.nanoTime} past which an idle command exits; never without --timeout. */
  long idleDeadlineFrom(long nowNanos) {
    return timeout == null ? Long.MAX_VALUE : nowNanos + timeout.toNanos();
  }

  RecordFormat recordFormat() {
    return new RecordFormat(format);
  }
}
