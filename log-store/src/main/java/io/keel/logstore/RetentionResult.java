package io.keel.logstore;

/**
 * What retention would remove. Retention never deletes by itself: the caller takes a snapshot at
 * {@link #compactUpToIndex()} (an applied index at a segment boundary) and hands it to {@code
 * RaftStorage.compact}, which removes those whole segments and advances the log start offset, so a
 * follower that needs the removed entries gets the snapshot instead.
 *
 * @param compactUpToIndex last Raft index of the removable segments; 0 when nothing is removable
 * @param segments number of whole segments removable
 * @param bytes bytes those segments hold
 * @param logStartOffset the log start offset once they are removed
 */
public record RetentionResult(
    long compactUpToIndex, int segments, long bytes, long logStartOffset) {

  public boolean hasWork() {
    return segments > 0;
  }
}
