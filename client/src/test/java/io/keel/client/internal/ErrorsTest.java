package io.keel.client.internal;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.client.KeelException;
import io.keel.client.NotLeaderException;
import io.keel.client.ProducerFencedException;
import io.keel.client.RecordTooLargeException;
import io.keel.client.RetriableException;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import org.junit.jupiter.api.Test;

class ErrorsTest {
  @Test
  void everyErrorCodeMapsToAnExceptionCarryingTheBrokersMessage() {
    for (ErrorCode code : ErrorCode.values()) {
      if (code == ErrorCode.NONE || code == ErrorCode.UNRECOGNIZED) {
        continue;
      }
      ErrorDetail detail = ErrorDetail.newBuilder().setCode(code).setMessage("why: 42").build();
      KeelException e = Errors.toException(detail, "partition t-0");
      assertTrue(e.getMessage().contains(code.name()), e.getMessage());
      assertTrue(e.getMessage().contains("why: 42"), e.getMessage());
      assertTrue(e.getMessage().contains("t-0"), e.getMessage());
    }
  }

  @Test
  void retriableAndFatalCodesGetTheirTypes() {
    assertInstanceOf(NotLeaderException.class, map(ErrorCode.NOT_LEADER));
    assertInstanceOf(RetriableException.class, map(ErrorCode.LEADER_NOT_AVAILABLE));
    assertInstanceOf(RetriableException.class, map(ErrorCode.NOT_ENOUGH_REPLICAS));
    assertInstanceOf(RetriableException.class, map(ErrorCode.REQUEST_TIMED_OUT));
    assertInstanceOf(RecordTooLargeException.class, map(ErrorCode.RECORD_TOO_LARGE));
    assertInstanceOf(ProducerFencedException.class, map(ErrorCode.PRODUCER_FENCED));
    assertTrue(!(map(ErrorCode.RECORD_TOO_LARGE) instanceof RetriableException));
  }

  private static KeelException map(ErrorCode code) {
    return Errors.toException(ErrorDetail.newBuilder().setCode(code).build(), "x");
  }
}
