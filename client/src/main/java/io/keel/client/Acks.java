package io.keel.client;

import java.util.Locale;

/** How many replicas must have a batch before the producer's send completes. */
public enum Acks {
  /**
   * The broker answers once it validated the batch and proposed it to Raft, before any disk has it;
   * offsets are not reported. Lost if the leader fails before a quorum has the batch.
   */
  NONE("0"),
  /**
   * After the leader's own durable append, before any follower has the batch: lost for good if the
   * leader fails or is cut off before a follower copies it.
   */
  LEADER("1"),
  /**
   * After the partition's Raft quorum committed the batch (the default): survives the loss of any
   * minority of replicas.
   */
  ALL("all");

  private final String configValue;

  Acks(String configValue) {
    this.configValue = configValue;
  }

  public String configValue() {
    return configValue;
  }

  /** Parses the Kafka spellings: 0, 1, all, -1. */
  public static Acks parse(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "0" -> NONE;
      case "1" -> LEADER;
      case "all", "-1" -> ALL;
      default -> throw new IllegalArgumentException("acks must be 0, 1, all or -1");
    };
  }
}
