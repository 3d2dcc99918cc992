package io.keel.chaos.checker;

import io.keel.chaos.history.Event;
import io.keel.chaos.history.Operation;
import io.keel.chaos.history.Phase;
import java.util.List;
import java.util.Set;

/**
 * Errors the Keel client surfaced to the workload, told apart by whether the client classes them
 * retriable. A retriable one (a timeout, NOT_LEADER after its retries) says "try again"; any other
 * (a plain {@code KeelException}, {@code GroupException}, {@code UnknownTopicException}, ...) tells
 * the application something is wrong, which a rolling restart must never do.
 */
final class ClientErrors {
  /** Simple names of the client's retriable exceptions, and the workload's own answer timeout. */
  static final Set<String> RETRIABLE =
      Set.of(
          "RetriableException",
          "KeelTimeoutException",
          "NotLeaderException",
          "NotEnoughReplicasException",
          "CoordinatorNotAvailableException",
          "StorageFullException",
          "TimeoutException");

  private ClientErrors() {}

  /** Client operations that completed with a non-retriable error in [fromNanos, toNanos]. */
  static long nonRetriable(List<Operation> ops, long fromNanos, long toNanos) {
    return ops.stream()
        .filter(o -> o.process() >= 0 && o.completion() != null)
        .filter(o -> o.outcome() == Phase.FAIL || o.outcome() == Phase.INFO)
        .filter(o -> o.completeNanos() >= fromNanos && o.completeNanos() <= toNanos)
        .filter(o -> !isRetriable(o.completion()))
        .count();
  }

  static boolean isRetriable(Event completion) {
    String error = completion.error();
    if (error == null || error.equals("interrupted")) {
      return true;
    }
    int colon = error.indexOf(':');
    String type = (colon < 0 ? error : error.substring(0, colon)).strip();
    // "KeelTimeoutException[StatusRuntimeException]": the type, then the last error behind it.
    int bracket = type.indexOf('[');
    return RETRIABLE.contains(bracket < 0 ? type : type.substring(0, bracket));
  }
}
