package io.keel.bench;

import java.util.Map;

/**
 * What a benchmark run measured; written as JSON by {@code --json FILE}. In share mode ({@code
 * workload.shareWorkers() > 0}) the consume fields count accepted records and the end-to-end
 * latency runs from each record's intended send time to its worker's accept being confirmed.
 *
 * @param topic the topic used: the workload's, or a fresh one per share run
 * @param lastSendError the message of the last send error in the measured window ("" if none): a
 *     count of timeouts alone hides why they timed out (a full disk, say)
 * @param drain the backlog read after the timed phase (zeros when not asked for)
 */
public record BenchResult(
    String system,
    Workload workload,
    String topic,
    long messagesSent,
    long sendErrors,
    Map<String, Long> sendErrorsByType,
    String lastSendError,
    double publishMsgPerSec,
    double publishMBPerSec,
    LatencyStats.Percentiles publishLatencyMs,
    long messagesConsumed,
    double consumeMsgPerSec,
    LatencyStats.Percentiles endToEndLatencyMs,
    Drain drain,
    double brokerCpuSeconds,
    double brokerCpuSecondsPerMillionMessages,
    double brokerMaxRssMiB) {

  /**
   * The drain: the topic read from the start twice by one consumer.
   *
   * @param msgPerSec the second (warm) pass
   * @param mbPerSec the second pass, payload MB/s
   * @param coldMsgPerSec the first pass, which also runs the read path's JIT compilation
   * @param brokerSecondsPerMillion brokers' CPU over the second pass; -1 without broker pids
   * @param clientSecondsPerMillion this (the consumer's) process's CPU over the second pass
   */
  public record Drain(
      double msgPerSec,
      double mbPerSec,
      double coldMsgPerSec,
      double brokerSecondsPerMillion,
      double clientSecondsPerMillion) {
    static final Drain NONE = new Drain(0, 0, 0, -1, -1);
  }

  /** A summary to paste into an issue or a doc. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            "%s bench: %s, %d partitions, RF %d, %d B messages, acks %s, rate %s%n",
            system,
            topic,
            workload.partitions(),
            workload.replicationFactor(),
            workload.messageSizeBytes(),
            workload.acks(),
            workload.ratePerSec() == 0 ? "max" : workload.ratePerSec() + " msg/s"));
    s.append(
        String.format(
            "  publish:  %,.0f msg/s  %.1f MB/s  (%d sent, %d errors)%n",
            publishMsgPerSec, publishMBPerSec, messagesSent, sendErrors));
    if (!sendErrorsByType.isEmpty()) {
      s.append("  send errors by type: ").append(sendErrorsByType).append('\n');
      s.append("  last send error: ").append(lastSendError).append('\n');
    }
    s.append("  publish latency ms:    ").append(line(publishLatencyMs)).append('\n');
    if (workload.shareWorkers() > 0) {
      s.append("  produce->accept latency ms (intended send to confirmed accept): ")
          .append(line(endToEndLatencyMs))
          .append('\n');
      s.append(
          String.format(
              "  share:    %,.0f msg/s accepted by %d workers (%d of %d sent accepted)%n",
              consumeMsgPerSec, workload.shareWorkers(), messagesConsumed, messagesSent));
    } else if (endToEndLatencyMs.count() > 0) {
      s.append("  end-to-end latency ms: ").append(line(endToEndLatencyMs)).append('\n');
      s.append(
          String.format(
              "  consume:  %,.0f msg/s (%d received)%n", consumeMsgPerSec, messagesConsumed));
    }
    if (drain.msgPerSec() > 0) {
      s.append(
          String.format(
              "  drain (consume backlog), warm pass: %,.0f msg/s  %.1f MB/s (cold pass %,.0f"
                  + " msg/s)%n",
              drain.msgPerSec(), drain.mbPerSec(), drain.coldMsgPerSec()));
      s.append(
          String.format(
              "  drain CPU s per million messages (warm): consumer process %.1f, brokers %s%n",
              drain.clientSecondsPerMillion(),
              drain.brokerSecondsPerMillion() < 0
                  ? "- (no --broker-pids)"
                  : String.format("%.1f", drain.brokerSecondsPerMillion())));
    }
    if (brokerCpuSeconds >= 0) {
      s.append(
          String.format(
              "  broker CPU: %.1f s, %.1f s per million messages published; largest broker RSS"
                  + " %.0f MiB%n",
              brokerCpuSeconds, brokerCpuSecondsPerMillionMessages, brokerMaxRssMiB));
    }
    return s.toString();
  }

  private static String line(LatencyStats.Percentiles p) {
    return String.format(
        "p50 %.2f  p95 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  (n=%d)",
        p.p50(), p.p95(), p.p99(), p.p999(), p.max(), p.count());
  }
}
