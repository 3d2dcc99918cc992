package io.keel.broker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorCodes;
import io.keel.proto.ErrorDetail;
import io.keel.proto.ProducePartitionData;
import io.keel.proto.ProduceRequest;
import io.keel.proto.ProduceResponse;
import io.keel.raft.ProposalRejectedException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
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

  /** A request caught by the node stopping (rolling restart) must not surface as UNKNOWN. */
  @Test
  void anExecutorRefusingWorkOnAStoppingNodeAnswersNodeShuttingDown() {
    ErrorDetail d =
        new ErrorDetails(null, null)
            .of(new CompletionException(new RejectedExecutionException("pool terminated")));
    assertEquals(ErrorCode.NODE_SHUTTING_DOWN, d.getCode(), d.toString());
    assertTrue(ErrorCodes.isRetriable(d.getCode()));
  }

  @Test
  void aFutureCancelledByAStoppingNodeAnswersNodeShuttingDown() {
    ErrorDetail d = new ErrorDetails(null, null).of(new CancellationException());
    assertEquals(ErrorCode.NODE_SHUTTING_DOWN, d.getCode(), d.toString());
  }

  @Test
  void anyOtherUnexpectedFailureStaysUnknown() {
    ErrorDetail d = new ErrorDetails(null, null).of(new IllegalStateException("broken invariant"));
    assertEquals(ErrorCode.UNKNOWN, d.getCode(), d.toString());
    assertTrue(d.getMessage().contains("broken invariant"), d.getMessage());
  }

  @Test
  void aProduceOnTheStreamCaughtByTheNodeStoppingFailsRetriably() {
    ProduceRequest request =
        ProduceRequest.newBuilder()
            .addPartitions(ProducePartitionData.newBuilder().setTopic("t").setPartition(0))
            .build();
    ProduceResponse r =
        ProduceStreamHandler.unexpected(
            request, new CompletionException(new RejectedExecutionException("scheduler down")));
    assertEquals(ErrorCode.NODE_SHUTTING_DOWN, r.getPartitions(0).getError().getCode());
    ProduceResponse other =
        ProduceStreamHandler.unexpected(request, new IllegalArgumentException("bad"));
    assertEquals(ErrorCode.UNKNOWN, other.getPartitions(0).getError().getCode());
  }
}
