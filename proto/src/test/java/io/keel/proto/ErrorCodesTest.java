package io.keel.proto;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ErrorCodesTest {
  @Test
  void metadataRefreshImpliesRetriable() {
    for (ErrorCode code : ErrorCode.values()) {
      if (ErrorCodes.needsMetadataRefresh(code)) {
        assertTrue(ErrorCodes.isRetriable(code), code.name());
      }
    }
  }

  @Test
  void successAndUnknownAreNotRetriable() {
    assertFalse(ErrorCodes.isRetriable(ErrorCode.NONE));
    assertFalse(ErrorCodes.isRetriable(ErrorCode.UNKNOWN));
    assertFalse(ErrorCodes.isRetriable(ErrorCode.UNRECOGNIZED));
  }

  /** docs/api.md's error table and the code agree on every code. */
  @Test
  void apiDocListsEveryCodeWithTheSameRetriability() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "api.md"));
    for (ErrorCode code : ErrorCode.values()) {
      if (code == ErrorCode.UNRECOGNIZED || code == ErrorCode.NONE) {
        continue;
      }
      Matcher row = Pattern.compile("\\| `" + code.name() + "` \\| (yes|no) \\|").matcher(doc);
      assertTrue(row.find(), "docs/api.md has no row for " + code);
      assertTrue(
          row.group(1).equals("yes") == ErrorCodes.isRetriable(code),
          code + " retriable in code: " + ErrorCodes.isRetriable(code));
    }
  }
}
