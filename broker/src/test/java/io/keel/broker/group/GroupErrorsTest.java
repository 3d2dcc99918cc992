package io.keel.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keel.broker.controller.MetadataCache;
import io.keel.proto.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.InstantSource;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Group calls caught by a stopping node answer a retriable code, not UNKNOWN. */
class GroupErrorsTest {
  private final GroupCoordinatorService service =
      new GroupCoordinatorService(
          1,
          null,
          new MetadataCache(),
          null,
          new SimpleMeterRegistry(),
          null,
          GroupSettings.defaults(),
          InstantSource.system());

  @Test
  void aCallRefusedByAStoppingNodeIsNodeShuttingDown() {
    assertEquals(
        ErrorCode.NODE_SHUTTING_DOWN,
        service
            .errorOf(new CompletionException(new RejectedExecutionException("scheduler down")))
            .getCode());
  }

  @Test
  void anyOtherUnexpectedFailureStaysUnknown() {
    assertEquals(ErrorCode.UNKNOWN, service.errorOf(new IllegalStateException("broken")).getCode());
  }
}
