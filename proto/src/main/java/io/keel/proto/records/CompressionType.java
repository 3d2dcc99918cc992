package io.keel.proto.records;

/** Codec of a batch's records section, stored in the low three bits of the attributes. */
public enum CompressionType {
  NONE(0),
  GZIP(1),
  SNAPPY(2),
  LZ4(3),
  ZSTD(4);

  private final int id;

  CompressionType(int id) {
    this.id = id;
  }

  /** The value stored in the attributes' codec bits. */
  public int id() {
    return id;
  }

  /** The codec with this id; a batch naming another id is corrupt. */
  public static CompressionType fromId(int id) {
    for (CompressionType type : values()) {
      if (type.id == id) {
        return type;
      }
    }
    throw new CorruptRecordBatchException(
        "attributes: unknown compression codec id " + id + " (known: 0..4)");
  }
}
