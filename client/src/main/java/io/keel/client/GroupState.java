package io.keel.client;

/** Lifecycle state of a consumer group. */
public enum GroupState {
  UNKNOWN,
  EMPTY,
  ASSIGNING,
  RECONCILING,
  STABLE,
  DEAD
}
