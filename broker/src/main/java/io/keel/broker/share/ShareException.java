package io.keel.broker.share;

import io.keel.proto.ShareErrorCode;

/**
 * A share-specific refusal (unknown member, a limit): answered as a ShareError, nothing changed.
 */
final class ShareException extends RuntimeException {
  private final ShareErrorCode code;

  ShareException(ShareErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  ShareErrorCode code() {
    return code;
  }
}
