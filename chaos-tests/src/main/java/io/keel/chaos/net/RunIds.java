package io.keel.chaos.net;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Run ids: 6 hex digits, unique enough to keep concurrent runs' resources apart. */
public final class RunIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  public static String random() {
    byte[] b = new byte[3];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
