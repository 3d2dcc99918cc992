package io.keel.raft;

/**
 * A state machine image covering the log up to and including {@code index}.
 *
 * @param index the last log index the image includes
 * @param term the term of the entry at {@code index}
 * @param membership the configuration in force at {@code index}
 * @param data the application's state machine image, opaque to Raft
 */
public record Snapshot(long index, long term, Membership membership, byte[] data) {
  public Snapshot {
    Checks.arg(index >= 0, "snapshot index must be >= 0, was %s", index);
    Checks.arg(term >= 0, "snapshot term must be >= 0, was %s", term);
    Checks.arg(membership != null, "snapshot membership is null at index %s", index);
    Checks.arg(data != null, "snapshot data is null at index %s", index);
  }
}
