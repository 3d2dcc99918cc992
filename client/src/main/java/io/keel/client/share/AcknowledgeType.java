package io.keel.client.share;

/** How a share consumer acknowledges a record (Kafka's {@code AcknowledgeType}, plus RENEW). */
public enum AcknowledgeType {
  /** Processed: never delivered again. */
  ACCEPT,
  /** Not processed: deliver again (to any member), counting a delivery. */
  RELEASE,
  /** Cannot be processed: never deliver again; it goes to the dead-letter topic. */
  REJECT,
  /** Still processing: extend the acquisition lock by the group's lock duration. */
  RENEW
}
