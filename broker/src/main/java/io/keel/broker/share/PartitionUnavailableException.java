package io.keel.broker.share;

/**
 * A topic partition the share coordinator reads or writes (a task partition, a dead-letter topic)
 * has no known or willing leader right now: an election or a leader move. Clients retry it as
 * {@code LEADER_NOT_AVAILABLE}; it says nothing about the share group's state.
 */
public final class PartitionUnavailableException extends RuntimeException {
  public PartitionUnavailableException(String message) {
    super(message);
  }
}
