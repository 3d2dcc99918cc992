package io.keel.client;

import java.util.Locale;

/** How many replicas must have a batch before the producer's send completes. */
public enum Acks {
  /** Fire and forget: the broker answers after validating; offsets are not reported. */
  NONE("0"),
  /** After the leader's durable append. */
  LEADER("1"),
  /** After the partition's Raft quorum committed the batch (the default). */
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
