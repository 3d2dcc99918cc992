package io.keel.broker.controller;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.keel.proto.AlterTopicConfigsRequest;
import io.keel.proto.AlterTopicConfigsResponse;
import io.keel.proto.BrokerHeartbeatRequest;
import io.keel.proto.BrokerHeartbeatResponse;
import io.keel.proto.ControllerCreateTopicsRequest;
import io.keel.proto.ControllerCreateTopicsResponse;
import io.keel.proto.ControllerDeleteTopicsRequest;
import io.keel.proto.ControllerDeleteTopicsResponse;
import io.keel.proto.ControllerError;
import io.keel.proto.CreateTopicResult;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.CreateTopicsResponse;
import io.keel.proto.DeleteTopicsRequest;
import io.keel.proto.DeleteTopicsResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.KeelControllerGrpc;
import io.keel.proto.KeelControllerGrpc.KeelControllerBlockingStub;
import io.keel.proto.RegisterBrokerRequest;
import io.keel.proto.RegisterBrokerResponse;
import io.keel.proto.TopicResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Talks to the controller leader from any node: finds it among the quorum voters (following
 * NOT_CONTROLLER hints), retries until the deadline, and for topic changes waits until this node's
 * metadata has caught up with the change, so a following Metadata request here sees it.
 */
public final class ControllerClient implements AutoCloseable {
  private static final long ATTEMPT_TIMEOUT_MS = 2_000;
  private static final long RETRY_BACKOFF_MS = 50;

  private final Map<Integer, String> voters;
  private final List<Integer> voterIds;
  private final MetadataCache cache;
  private final Duration requestTimeout;
  private final Runnable refresh;
  private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
  private volatile int leaderGuess;
  // Where the next call starts after one ran out of time: the voter after the last one tried.
  // Without it every call would start again at the cached (possibly paused or cut-off) leader,
  // spend its whole deadline there, and never reach the new controller.
  private volatile int nextGuess;

  /**
   * @param voters internal address of each controller-quorum node
   * @param refresh asks this node's heartbeat loop to pull metadata now
   */
  public ControllerClient(
      Map<Integer, String> voters, MetadataCache cache, Duration requestTimeout, Runnable refresh) {
    this.voters = new TreeMap<>(voters);
    this.voterIds = List.copyOf(this.voters.keySet());
    this.cache = cache;
    this.requestTimeout = requestTimeout;
    this.refresh = refresh;
  }

  /** Creates topics; each result carries its own error (NONE when created). */
  public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request) {
    Duration timeout = timeoutOf(request.getTimeoutMs());
    return CompletableFuture.supplyAsync(
            () ->
                call(
                    s ->
                        s.createTopics(
                            ControllerCreateTopicsRequest.newBuilder().setRequest(request).build()),
                    ControllerCreateTopicsResponse::getError,
                    timeout),
            calls)
        .thenCompose(r -> caughtUp(r.getMetadataVersion(), r))
        .thenApply(r -> CreateTopicsResponse.newBuilder().addAllResults(r.getResultsList()).build())
        .exceptionally(
            failure ->
                CreateTopicsResponse.newBuilder()
                    .addAllResults(
                        request.getTopicsList().stream()
                            .map(
                                t ->
                                    CreateTopicResult.newBuilder()
                                        .setName(t.getName())
                                        .setError(unavailable(failure))
                                        .build())
                            .toList())
                    .build());
  }

  /** Deletes topics; each result carries its own error (NONE when deleted). */
  public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request) {
    Duration timeout = timeoutOf(request.getTimeoutMs());
    return CompletableFuture.supplyAsync(
            () ->
                call(
                    s ->
                        s.deleteTopics(
                            ControllerDeleteTopicsRequest.newBuilder()
                                .addAllTopics(request.getTopicsList())
                                .build()),
                    ControllerDeleteTopicsResponse::getError,
                    timeout),
            calls)
        .thenCompose(r -> caughtUp(r.getMetadataVersion(), r))
        .thenApply(r -> DeleteTopicsResponse.newBuilder().addAllResults(r.getResultsList()).build())
        .exceptionally(
            failure ->
                DeleteTopicsResponse.newBuilder()
                    .addAllResults(
                        request.getTopicsList().stream()
                            .map(
                                t ->
                                    TopicResult.newBuilder()
                                        .setName(t)
                                        .setError(unavailable(failure))
                                        .build())
                            .toList())
                    .build());
  }

  /** Changes topic config overrides (an empty value removes one). */
  public CompletableFuture<AlterTopicConfigsResponse> alterTopicConfigs(
      AlterTopicConfigsRequest request) {
    return CompletableFuture.supplyAsync(
            () ->
                call(
                    s -> s.alterTopicConfigs(request),
                    AlterTopicConfigsResponse::getError,
                    requestTimeout),
            calls)
        .thenCompose(r -> caughtUp(r.getMetadataVersion(), r));
  }

  /** Blocking: registers this node with the controller leader. */
  public RegisterBrokerResponse register(RegisterBrokerRequest request, Duration timeout) {
    return call(s -> s.registerBroker(request), RegisterBrokerResponse::getError, timeout);
  }

  /** Blocking: one heartbeat to the controller leader. */
  public BrokerHeartbeatResponse heartbeat(BrokerHeartbeatRequest request, Duration timeout) {
    return call(s -> s.brokerHeartbeat(request), BrokerHeartbeatResponse::getError, timeout);
  }

  /** The node that answered the last successful call, 0 if none yet. */
  public int leaderGuess() {
    return leaderGuess;
  }

  private <T> CompletableFuture<T> caughtUp(long version, T response) {
    refresh.run();
    return cache
        .awaitVersion(version)
        .completeOnTimeout(null, requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(ignored -> response);
  }

  private <T> T call(
      Function<KeelControllerBlockingStub, T> rpc,
      Function<T, ControllerError> errorOf,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int target = leaderGuess != 0 ? leaderGuess : firstGuess();
    String lastProblem = "no attempt made";
    while (System.nanoTime() - deadline < 0) {
      long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      try {
        T response =
            rpc.apply(
                KeelControllerGrpc.newBlockingStub(channel(target))
                    .withDeadlineAfter(
                        Math.min(leftMs, ATTEMPT_TIMEOUT_MS), TimeUnit.MILLISECONDS));
        ControllerError error = errorOf.apply(response);
        if (error.getCode() != ErrorCode.NOT_CONTROLLER) {
          leaderGuess = target;
          nextGuess = 0;
          return response;
        }
        lastProblem = error.getMessage();
        int hint = error.getLeaderId();
        target = hint != 0 && voters.containsKey(hint) && hint != target ? hint : next(target);
      } catch (StatusRuntimeException e) {
        lastProblem = "node " + target + ": " + e.getStatus();
        channel(target).resetConnectBackoff(); // retry soon, not after gRPC's growing backoff
        target = next(target);
      }
      leaderGuess = 0;
      sleepQuietly(RETRY_BACKOFF_MS);
    }
    nextGuess = target;
    throw new ControllerUnavailableException(
        "no controller leader answered within " + timeout.toMillis() + " ms: " + lastProblem);
  }

  private int firstGuess() {
    int rotated = nextGuess;
    if (rotated != 0) {
      return rotated;
    }
    int known = cache.controllerLeaderId();
    return voters.containsKey(known) ? known : voterIds.get(0);
  }

  private int next(int target) {
    int i = voterIds.indexOf(target);
    return voterIds.get((i + 1) % voterIds.size());
  }

  private ManagedChannel channel(int nodeId) {
    return channels.computeIfAbsent(
        nodeId,
        id -> Grpc.newChannelBuilder(voters.get(id), InsecureChannelCredentials.create()).build());
  }

  private Duration timeoutOf(int timeoutMs) {
    return timeoutMs > 0 ? Duration.ofMillis(timeoutMs) : requestTimeout;
  }

  private static ErrorDetail unavailable(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    return ErrorDetail.newBuilder()
        .setCode(ErrorCode.REQUEST_TIMED_OUT)
        .setMessage(cause.getMessage())
        .build();
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms); // retry backoff between controller attempts
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ControllerUnavailableException("interrupted while looking for the controller");
    }
  }

  @Override
  public void close() {
    calls.shutdownNow();
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
