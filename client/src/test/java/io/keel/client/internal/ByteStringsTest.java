package io.keel.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ByteStringsTest {
  private static final byte[] BYTES = "0123456789abcdef".getBytes();

  @Test
  void aSubstringIsAViewOfItsParentsArray() {
    byte[] padded = new byte[BYTES.length + 7];
    System.arraycopy(BYTES, 0, padded, 3, BYTES.length);
    ByteBuffer view = ByteStrings.view(UnsafeByteOperations.unsafeWrap(padded, 3, BYTES.length));
    assertSame(padded, view.array(), "not copied");
    assertEquals(3, view.arrayOffset());
    assertEquals(ByteBuffer.wrap(BYTES), view);
  }

  @Test
  void anAliasedDirectBufferStaysDirect() {
    ByteBuffer direct = ByteBuffer.allocateDirect(BYTES.length).put(BYTES).flip();
    ByteBuffer view = ByteStrings.view(UnsafeByteOperations.unsafeWrap(direct));
    assertTrue(view.isDirect(), "not copied");
    assertEquals(ByteBuffer.wrap(BYTES), view);
  }

  @Test
  void aRopeIsCopiedWhole() {
    ByteString rope =
        ByteString.copyFrom(BYTES, 0, 5).concat(ByteString.copyFrom(BYTES, 5, BYTES.length - 5));
    ByteBuffer view = ByteStrings.view(rope);
    assertFalse(view.isDirect());
    assertEquals(ByteBuffer.wrap(BYTES), view);
  }

  @Test
  void theEmptyStringIsEmpty() {
    assertEquals(0, ByteStrings.view(ByteString.EMPTY).remaining());
  }
}
