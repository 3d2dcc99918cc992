package io.keel.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Positive answers are trusted for the TTL only; negative answers are never cached. */
class MemberFenceTest {
  private final AtomicLong nowMs = new AtomicLong(1_000);
  private final InstantSource clock = () -> Instant.ofEpochMilli(nowMs.get());
  private final AtomicInteger asked = new AtomicInteger();
  private final AtomicReference<ErrorCode> answer = new AtomicReference<>(ErrorCode.NONE);
  private final MemberFence fence =
      new MemberFence(
          claim -> {
            asked.incrementAndGet();
            return CompletableFuture.completedFuture(
                answer.get() == ErrorCode.NONE
                    ? MemberFence.OK
                    : ErrorDetail.newBuilder().setCode(answer.get()).build());
          },
          Duration.ofSeconds(1),
          Duration.ofSeconds(5),
          clock);
  private final MemberFence.Claim claim = new MemberFence.Claim("g", "m", 3);

  private ErrorCode check() {
    return fence.check(claim).join().getCode();
  }

  @Test
  void positiveAnswerIsCachedUntilTheTtlRunsOut() {
    assertEquals(ErrorCode.NONE, check());
    answer.set(ErrorCode.UNKNOWN_MEMBER_ID); // fenced at the coordinator
    nowMs.addAndGet(999);
    assertEquals(ErrorCode.NONE, check());
    assertEquals(1, asked.get());
    nowMs.addAndGet(1);
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, check());
    assertEquals(2, asked.get());
  }

  @Test
  void negativeAnswerIsNotCached() {
    answer.set(ErrorCode.FENCED_MEMBER_EPOCH);
    assertEquals(ErrorCode.FENCED_MEMBER_EPOCH, check());
    answer.set(ErrorCode.NONE);
    assertEquals(ErrorCode.NONE, check());
    assertEquals(2, asked.get());
  }

  @Test
  void notCoordinatorWithoutAHintFailsClosed() {
    answer.set(ErrorCode.NOT_COORDINATOR);
    assertEquals(ErrorCode.NOT_COORDINATOR, check());
    answer.set(ErrorCode.NONE);
    assertEquals(ErrorCode.NONE, check());
  }
}
