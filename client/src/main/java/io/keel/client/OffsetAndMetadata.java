package io.keel.client;

/** A committed position: the next offset to consume, plus free-form metadata. */
public record OffsetAndMetadata(long offset, String metadata) {
  public OffsetAndMetadata {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    metadata = metadata == null ? "" : metadata;
  }

  public OffsetAndMetadata(long offset) {
    this(offset, "");
  }
}
