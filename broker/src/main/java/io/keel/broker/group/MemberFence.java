package io.keel.broker.group;

import io.grpc.stub.StreamObserver;
import io.keel.broker.transport.PeerChannels;
import io.keel.proto.CheckGroupMemberRequest;
import io.keel.proto.CheckGroupMemberResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.KeelClientGrpc;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Fetch fencing on a partition leader: answers whether (group, member, epoch) is a current member
 * by asking the group's coordinator (locally, or over {@code CheckGroupMember} when another node
 * coordinates), and remembers a positive answer for {@code positiveTtl} so that fetches do not each
 * cost a round trip. A member fenced meanwhile can therefore read for at most that long; negative
 * answers and failures are never cached. Thread-safe; never blocks.
 */
final class MemberFence implements AutoCloseable {
  /** The member a fetch claims to be. */
  record Claim(String groupId, String memberId, int memberEpoch) {}

  /**
   * Answers a claim if this node coordinates the group; else NOT_COORDINATOR, with a leader hint
   * naming the coordinator when known.
   */
  interface LocalCheck {
    CompletableFuture<ErrorDetail> check(Claim claim);
  }

  static final ErrorDetail OK = ErrorDetail.getDefaultInstance();
  // Above this many cached claims, expired ones are swept on the next insert.
  private static final int SWEEP_ABOVE_ENTRIES = 10_000;

  private final LocalCheck local;
  private final Duration positiveTtl;
  private final Duration rpcTimeout;
  private final InstantSource clock;
  private final Map<Claim, Long> validUntilMs = new ConcurrentHashMap<>();
  private final PeerChannels channels = new PeerChannels();
  private volatile boolean closed;

  MemberFence(LocalCheck local, Duration positiveTtl, Duration rpcTimeout, InstantSource clock) {
    this.local = local;
    this.positiveTtl = positiveTtl;
    this.rpcTimeout = rpcTimeout;
    this.clock = clock;
  }

  /** NONE (the default ErrorDetail) if the claim holds, else the typed error to fail the fetch. */
  CompletableFuture<ErrorDetail> check(Claim claim) {
    Long until = validUntilMs.get(claim);
    long now = clock.millis();
    if (until != null && until > now) {
      return CompletableFuture.completedFuture(OK);
    }
    return local
        .check(claim)
        .thenCompose(e -> e.getCode() == ErrorCode.NOT_COORDINATOR ? remote(claim, e) : done(e))
        .thenApply(
            e -> {
              if (e.getCode() == ErrorCode.NONE) {
                remember(claim);
              }
              return e;
            });
  }

  private void remember(Claim claim) {
    long now = clock.millis();
    if (validUntilMs.size() > SWEEP_ABOVE_ENTRIES) {
      validUntilMs.values().removeIf(until -> until <= now);
    }
    validUntilMs.put(claim, now + positiveTtl.toMillis());
  }

  private CompletableFuture<ErrorDetail> remote(Claim claim, ErrorDetail notCoordinator) {
    if (!notCoordinator.hasLeader() || notCoordinator.getLeader().getHost().isEmpty() || closed) {
      return done(notCoordinator);
    }
    String address =
        notCoordinator.getLeader().getHost() + ":" + notCoordinator.getLeader().getPort();
    CheckGroupMemberRequest request =
        CheckGroupMemberRequest.newBuilder()
            .setGroupId(claim.groupId())
            .setMemberId(claim.memberId())
            .setMemberEpoch(claim.memberEpoch())
            .build();
    CompletableFuture<ErrorDetail> out = new CompletableFuture<>();
    KeelClientGrpc.newStub(channels.get(address))
        .withDeadlineAfter(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .checkGroupMember(
            request,
            new StreamObserver<>() {
              @Override
              public void onNext(CheckGroupMemberResponse r) {
                out.complete(r.getError());
              }

              @Override
              public void onError(Throwable t) {
                out.complete(
                    GroupCoordinatorService.error(
                        ErrorCode.NOT_COORDINATOR,
                        "coordinator at " + address + " unreachable: " + t.getMessage()));
              }

              @Override
              public void onCompleted() {}
            });
    return out;
  }

  private static CompletableFuture<ErrorDetail> done(ErrorDetail e) {
    return CompletableFuture.completedFuture(e);
  }

  @Override
  public void close() {
    closed = true;
    channels.close();
  }
}
