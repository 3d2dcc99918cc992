package io.keel.broker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorCodes;
import io.keel.proto.ErrorDetail;
import io.keel.raft.ProposalRejectedException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ErrorDetailsTest {

  @Test
  void aLeaderOverItsUncommittedLimitAnswersRetriableThrottled() {
    ErrorDetails errors = new ErrorDetails(null, null);
    ErrorDetail d =
        errors.of(
            new CompletionException(
                new ProposalRejectedException(
                    7, ProposalRejectedException.Reason.UNCOMMITTED_BYTES, 65 << 20, 64 << 20)));
    assertEquals(ErrorCode.THROTTLED, d.getCode(), d.toString());
    assertTrue(ErrorCodes.isRetriable(d.getCode()));
  }
}
