package io.keel.broker.api;

import io.keel.broker.api.LeaderResolver.Leader;
import io.keel.broker.controller.BrokerInfo;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.partition.PartitionException;
import io.keel.broker.raft.NodeStopping;
import io.keel.broker.raft.ProposalFailedException;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.LeaderHint;
import io.keel.raft.NotLeaderException;
import io.keel.raft.ProposalRejectedException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Builds the typed per-partition errors of responses, with leader hints where known. */
final class ErrorDetails {
  private final MetadataView metadata;
  private final LeaderResolver leaders;

  ErrorDetails(MetadataView metadata, LeaderResolver leaders) {
    this.metadata = metadata;
    this.leaders = leaders;
  }

  static final ErrorDetail NONE = ErrorDetail.getDefaultInstance();

  static ErrorDetail of(ErrorCode code, String message) {
    return ErrorDetail.newBuilder().setCode(code).setMessage(message).build();
  }

  /** The error for a failure not tied to one partition; unexpected exceptions become UNKNOWN. */
  ErrorDetail of(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof PartitionException pe) {
      ErrorDetail.Builder b =
          ErrorDetail.newBuilder().setCode(pe.code()).setMessage(pe.getMessage());
      if (pe.code() == ErrorCode.NOT_LEADER) {
        leaderHint(new Leader(pe.leaderId(), -1)).ifPresent(b::setLeader);
      }
      return b.build();
    }
    if (t instanceof NotLeaderException nle) {
      // The Raft group's own refusal: retriable, and the client should look for the leader.
      ErrorDetail.Builder b =
          ErrorDetail.newBuilder().setCode(ErrorCode.NOT_LEADER).setMessage(nle.getMessage());
      leaderHint(new Leader(nle.leaderId(), -1)).ifPresent(b::setLeader);
      return b.build();
    }
    if (t instanceof ProposalFailedException) {
      return of(ErrorCode.NOT_LEADER, t.getMessage());
    }
    if (t instanceof ProposalRejectedException) {
      // The leader's uncommitted or pending-read limit: back-pressure, retriable after a backoff.
      return of(ErrorCode.THROTTLED, t.getMessage());
    }
    if (NodeStopping.causedBy(t)) {
      return of(ErrorCode.NODE_SHUTTING_DOWN, NodeStopping.message(t));
    }
    return of(ErrorCode.UNKNOWN, t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  /**
   * The error for a failure of {@code topic}-{@code partition}. NOT_LEADER carries the newest
   * leader this node knows (its replica's Raft view or the controller hint) with its term, so a
   * client can go there at once and ignore older hints.
   */
  ErrorDetail of(Throwable failure, String topic, int partition) {
    Throwable t = unwrap(failure);
    boolean notLeader =
        (t instanceof PartitionException pe && pe.code() == ErrorCode.NOT_LEADER)
            || t instanceof NotLeaderException
            || t instanceof ProposalFailedException;
    if (notLeader) {
      Leader leader = leaders.leaderOf(topic, partition);
      return notLeader(
          topic + "-" + partition, leader.known() ? leader : new Leader(namedLeader(t), -1));
    }
    return of(t);
  }

  /** The leader a refusal names, 0 when none. */
  private static int namedLeader(Throwable t) {
    if (t instanceof PartitionException pe) {
      return pe.leaderId();
    }
    return t instanceof NotLeaderException nle ? nle.leaderId() : 0;
  }

  /** NOT_LEADER naming {@code leader} (node 0 = unknown) and its address when registered. */
  ErrorDetail notLeader(String partition, Leader leader) {
    PartitionException pe = PartitionException.notLeader(partition, leader.nodeId());
    ErrorDetail.Builder b = ErrorDetail.newBuilder().setCode(pe.code()).setMessage(pe.getMessage());
    leaderHint(leader).ifPresent(b::setLeader);
    return b.build();
  }

  Optional<LeaderHint> leaderHint(Leader leader) {
    if (!leader.known()) {
      return Optional.empty();
    }
    LeaderHint.Builder hint =
        LeaderHint.newBuilder().setLeaderId(leader.nodeId()).setLeaderEpoch(leader.epoch());
    metadata
        .broker(leader.nodeId())
        .map(BrokerInfo::clientAddress)
        .ifPresent(a -> setAddress(hint, a));
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
