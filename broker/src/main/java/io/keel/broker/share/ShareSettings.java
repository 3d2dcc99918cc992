package io.keel.broker.share;

import java.time.Duration;

/**
 * Share-group settings of a node.
 *
 * @param lockDuration {@code share.record.lock.duration.ms}: how long an acquisition holds
 * @param deliveryLimit {@code share.delivery.count.limit}: deliveries before dead-lettering
 * @param deadLetterSuffix {@code share.dead.letter.topic.suffix}: topic T dead-letters to T+suffix
 * @param partitionMaxInFlight records of one partition in a group's window (not delayed ones)
 * @param memberMaxAcquired records one member may hold at once
 * @param fetchMaxRecords the largest {@code max_records} of a ShareFetch
 * @param sessionTimeout a member silent this long leaves (its records are released)
 * @param heartbeatInterval what members are told to heartbeat at
 * @param timerInterval how often locks, sessions, due records and dead letters are checked
 */
public record ShareSettings(
    Duration lockDuration,
    int deliveryLimit,
    String deadLetterSuffix,
    int partitionMaxInFlight,
    int memberMaxAcquired,
    int fetchMaxRecords,
    Duration sessionTimeout,
    Duration heartbeatInterval,
    Duration timerInterval) {

  public static ShareSettings defaults() {
    return new ShareSettings(
        Duration.ofSeconds(30),
        5,
        ".dlq",
        2000,
        1000,
        500,
        Duration.ofSeconds(45),
        Duration.ofSeconds(3),
        Duration.ofMillis(100));
  }
}
