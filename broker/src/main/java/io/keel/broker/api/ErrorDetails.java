package io.keel.broker.api;

import io.keel.broker.controller.BrokerInfo;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.partition.PartitionException;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.LeaderHint;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Builds the typed per-partition errors of responses, with leader hints where known. */
final class ErrorDetails {
  private final MetadataView metadata;

  ErrorDetails(MetadataView metadata) {
    this.metadata = metadata;
  }

  static final ErrorDetail NONE = ErrorDetail.getDefaultInstance();

  static ErrorDetail of(ErrorCode code, String message) {
    return ErrorDetail.newBuilder().setCode(code).setMessage(message).build();
  }

  /** The error for a failure, unwrapping futures; unexpected exceptions become UNKNOWN. */
  ErrorDetail of(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof PartitionException pe) {
      ErrorDetail.Builder b =
          ErrorDetail.newBuilder().setCode(pe.code()).setMessage(pe.getMessage());
      if (pe.code() == ErrorCode.NOT_LEADER) {
        leaderHint(pe.leaderId(), -1).ifPresent(b::setLeader);
      }
      return b.build();
    }
    return of(ErrorCode.UNKNOWN, t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  /** NOT_LEADER naming {@code leaderId} (0 = unknown) and its client address when registered. */
  ErrorDetail notLeader(String partition, int leaderId, long leaderEpoch) {
    PartitionException pe = PartitionException.notLeader(partition, leaderId);
    ErrorDetail.Builder b = ErrorDetail.newBuilder().setCode(pe.code()).setMessage(pe.getMessage());
    leaderHint(leaderId, leaderEpoch).ifPresent(b::setLeader);
    return b.build();
  }

  Optional<LeaderHint> leaderHint(int leaderId, long leaderEpoch) {
    if (leaderId <= 0) {
      return Optional.empty();
    }
    LeaderHint.Builder hint =
        LeaderHint.newBuilder().setLeaderId(leaderId).setLeaderEpoch(leaderEpoch);
    metadata.broker(leaderId).map(BrokerInfo::clientAddress).ifPresent(a -> setAddress(hint, a));
    return Optional.of(hint.build());
  }

  private static void setAddress(LeaderHint.Builder hint, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon > 0) {
      hint.setHost(hostPort.substring(0, colon));
      hint.setPort(Integer.parseInt(hostPort.substring(colon + 1)));
    }
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
