package io.keel.client.internal;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The bytes of a {@link ByteString} as a buffer over its own storage. {@code
 * ByteString.asReadOnlyByteBuffer} hides a heap string's array, and CRC32C then checksums it
 * through a bounce buffer; {@code toByteArray} copies it. A string of one piece (a field parsed
 * from a response, a direct buffer it wraps) hands its array or buffer over without a copy; only a
 * rope of several pieces is copied.
 */
final class ByteStrings {
  private ByteStrings() {}

  static ByteBuffer view(ByteString bytes) {
    Capture capture = new Capture();
    try {
      UnsafeByteOperations.unsafeWriteTo(bytes, capture);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // Capture never throws
    }
    return capture.onePiece() ? capture.view : ByteBuffer.wrap(bytes.toByteArray());
  }

  /** Keeps the piece a string of one piece writes. Nothing is written anywhere. */
  private static final class Capture extends ByteOutput {
    ByteBuffer view;
    boolean several; // a rope, or single bytes (no string writes those): copied instead

    boolean onePiece() {
      return view != null && !several;
    }

    @Override
    public void write(byte value) {
      several = true;
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      writeLazy(value, offset, length);
    }

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      piece(ByteBuffer.wrap(value, offset, length).slice());
    }

    @Override
    public void write(ByteBuffer value) {
      writeLazy(value);
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      piece(value.slice());
    }

    private void piece(ByteBuffer piece) {
      several |= view != null;
      view = piece;
    }
  }
}
