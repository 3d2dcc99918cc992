package io.keel.broker.testing;

import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.keel.broker.Broker;
import io.keel.broker.config.BrokerConfig;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.raft.RaftGroup;
import io.keel.proto.CreateTopicResult;
import io.keel.proto.CreateTopicsRequest;
import io.keel.proto.ErrorCode;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.KeelControllerGrpc;
import io.keel.proto.NewTopic;
import io.keel.proto.RegisterBrokerRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A cluster of real nodes in this JVM: each node has its own RocksDB store in a temporary directory
 * and serves gRPC on its own loopback port, so every byte between nodes crosses real sockets. Nodes
 * are numbered 1..n (their node ids); the first three (or all, if fewer) form the controller
 * quorum. Ticks are short (20 ms); elections still wait 1-2 s without a leader, as in production,
 * so that a busy machine (a slow fsync, a JIT pause) does not depose healthy leaders.
 *
 * <pre>{@code
 * try (TestCluster cluster = TestCluster.start(3)) {
 *   cluster.awaitReady(Duration.ofSeconds(20));
 *   cluster.createTopic("orders", 6, 3);
 *   cluster.stopNode(cluster.leaderOf("orders", 0));
 * }
 * }</pre>
 */
public final class TestCluster implements AutoCloseable {
  /** Settings that make a test cluster fast; any can be overridden per cluster. */
  public static final Map<String, String> FAST_DEFAULTS =
      Map.of(
          "raft.tick.ms", "20",
          "raft.election.ticks", "50",
          "broker.heartbeat.interval.ms", "50",
          "broker.session.timeout.ms", "3000",
          "leader.balance.interval.ms", "500",
          "controlled.shutdown.timeout.ms", "10000",
          "raft.event.loops", "2",
          "fsync", "always");

  private final Path root;
  private final int[] ports;
  private final Map<String, String> overrides;
  private final Broker[] brokers;
  private final Set<Integer> registrationsRefused = ConcurrentHashMap.newKeySet();

  private TestCluster(Path root, int[] ports, Map<String, String> overrides) {
    this.root = root;
    this.ports = ports;
    this.overrides = overrides;
    this.brokers = new Broker[ports.length];
  }

  /** Starts {@code n} nodes with {@link #FAST_DEFAULTS}. */
  public static TestCluster start(int n) {
    return start(n, Map.of());
  }

  /** Starts {@code n} nodes; {@code overrides} apply to every node on top of the defaults. */
  public static TestCluster start(int n, Map<String, String> overrides) {
    try {
      return start(n, overrides, Files.createTempDirectory("keel-cluster"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts {@code n} nodes with their data directories under {@code root} (a small disk, say). */
  public static TestCluster start(int n, Map<String, String> overrides, Path root) {
    Map<String, String> settings = new HashMap<>(FAST_DEFAULTS);
    settings.putAll(overrides);
    TestCluster cluster = new TestCluster(root, LoopbackPorts.reserve(n), settings);
    for (int id = 1; id <= n; id++) {
      cluster.startNode(id);
    }
    return cluster;
  }

  /** The configuration of node {@code nodeId}; the same across restarts. */
  public BrokerConfig config(int nodeId) {
    Map<String, String> values = new HashMap<>(overrides);
    values.put("node.id", Integer.toString(nodeId));
    values.put("listen.address", "127.0.0.1:" + ports[nodeId - 1]);
    values.put("http.address", "127.0.0.1:0");
    values.put("data.dir", dataDir(nodeId).toString());
    values.put("controller.quorum.voters", voters());
    return BrokerConfig.of(values);
  }

  /** Node {@code nodeId}'s data directory. */
  public Path dataDir(int nodeId) {
    return root.resolve("node-" + nodeId);
  }

  private String voters() {
    int count = Math.min(3, ports.length);
    List<String> voters = new ArrayList<>();
    for (int id = 1; id <= count; id++) {
      voters.add(id + "@127.0.0.1:" + ports[id - 1]);
    }
    return String.join(",", voters);
  }

  private void startNode(int nodeId) {
    BrokerConfig config = config(nodeId);
    Broker broker =
        new Broker(
            config,
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", ports[nodeId - 1]))
                .intercept(new RegistrationGate()));
    broker.start();
    brokers[nodeId - 1] = broker;
  }

  /** {@code host:port,...} of every node, for a client's bootstrap list. */
  public String bootstrap() {
    return IntStream.of(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  public int size() {
    return ports.length;
  }

  /** The running node {@code nodeId}; throws if it is stopped. */
  public Broker node(int nodeId) {
    Broker b = brokers[nodeId - 1];
    if (b == null) {
      throw new IllegalStateException("node " + nodeId + " is stopped");
    }
    return b;
  }

  public boolean isRunning(int nodeId) {
    return brokers[nodeId - 1] != null;
  }

  /** Ids of the running nodes. */
  public List<Integer> runningNodes() {
    List<Integer> out = new ArrayList<>();
    for (int id = 1; id <= brokers.length; id++) {
      if (brokers[id - 1] != null) {
        out.add(id);
      }
    }
    return out;
  }

  /** Stops a node at once, without moving its leaderships (as a crash would, files closed). */
  public void stopNode(int nodeId) {
    node(nodeId).close();
    brokers[nodeId - 1] = null;
  }

  /** Stops a node with a controlled shutdown (leadership moves away first). */
  public void shutdownNode(int nodeId, Duration timeout) {
    node(nodeId).shutdown(timeout);
    brokers[nodeId - 1] = null;
  }

  /** Starts a stopped node again on the same port and data directory. */
  public void restartNode(int nodeId) {
    if (brokers[nodeId - 1] != null) {
      throw new IllegalStateException("node " + nodeId + " is running");
    }
    startNode(nodeId);
  }

  /**
   * From now on every controller answers node {@code nodeId}'s RegisterBroker with UNAVAILABLE, as
   * if no controller were reachable for it; its Raft traffic is untouched.
   */
  public void refuseRegistration(int nodeId) {
    registrationsRefused.add(nodeId);
  }

  /** Undoes {@link #refuseRegistration(int)}. */
  public void allowRegistration(int nodeId) {
    registrationsRefused.remove(nodeId);
  }

  /** Refuses the RegisterBroker calls of the nodes in {@link #registrationsRefused}. */
  private final class RegistrationGate implements ServerInterceptor {
    private static final String REGISTER =
        KeelControllerGrpc.getRegisterBrokerMethod().getFullMethodName();

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      ServerCall.Listener<Q> delegate = next.startCall(call, headers);
      if (!call.getMethodDescriptor().getFullMethodName().equals(REGISTER)) {
        return delegate;
      }
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
        private boolean refused;

        @Override
        public void onMessage(Q message) {
          if (message instanceof RegisterBrokerRequest r
              && registrationsRefused.contains(r.getNodeId())) {
            refused = true;
            call.close(
                Status.UNAVAILABLE.withDescription("registration refused by the test"),
                new Metadata());
            return;
          }
          super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
          if (!refused) {
            super.onHalfClose();
          }
        }
      };
    }
  }

  /** The node leading {@code topic}-{@code partition} in the highest term, or 0 if none. */
  public int leaderOf(String topic, int partition) {
    Optional<TopicInfo> info =
        runningNodes().stream()
            .map(id -> node(id).metadata().topic(topic))
            .flatMap(Optional::stream)
            .findFirst();
    if (info.isEmpty()) {
      return 0;
    }
    long groupId = info.get().groupId(partition);
    int leader = 0;
    long leaderTerm = -1;
    for (int id : runningNodes()) {
      RaftGroup g = node(id).runtime().group(groupId);
      if (g != null && g.isLeader() && g.term() > leaderTerm) {
        leader = id;
        leaderTerm = g.term();
      }
    }
    return leader;
  }

  /** The node leading the metadata (controller) group, or 0. */
  public int controllerLeader() {
    for (int id : runningNodes()) {
      if (node(id).controller() != null && node(id).controller().group().isLeader()) {
        return id;
      }
    }
    return 0;
  }

  /** Waits until every running node is ready (registered and caught up). */
  public void awaitReady(Duration timeout) {
    // Ready nodes that also see every running node online: a topic with RF = size can be placed.
    await(
        timeout,
        () ->
            runningNodes().stream()
                .allMatch(
                    id ->
                        node(id).isReady()
                            && node(id).metadata().image().onlineBrokers().size()
                                >= runningNodes().size()),
        () ->
            "nodes ready: "
                + runningNodes().stream()
                    .collect(Collectors.toMap(id -> id, id -> node(id).isReady()))
                + ", online brokers seen: "
                + runningNodes().stream()
                    .collect(
                        Collectors.toMap(
                            id -> id, id -> node(id).metadata().image().onlineBrokers().size())));
  }

  /**
   * Creates a topic through the first running node's client API. A NOT_CONTROLLER answer (the
   * controller changed mid-request) is retried; if the retry finds the topic, the first attempt
   * committed after all and the topic counts as created.
   */
  public CreateTopicResult createTopic(String name, int partitions, int replicationFactor) {
    return createTopic(name, partitions, replicationFactor, Map.of());
  }

  /** Like {@link #createTopic(String, int, int)} with topic config overrides. */
  public CreateTopicResult createTopic(
      String name, int partitions, int replicationFactor, Map<String, String> configs) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    boolean retried = false;
    while (true) {
      CreateTopicResult result = createTopicOnce(name, partitions, replicationFactor, configs);
      ErrorCode code = result.getError().getCode();
      if (retried && code == ErrorCode.TOPIC_ALREADY_EXISTS) {
        return result.toBuilder().clearError().build();
      }
      if (code != ErrorCode.NOT_CONTROLLER || System.nanoTime() - deadline > 0) {
        return result;
      }
      retried = true;
    }
  }

  private CreateTopicResult createTopicOnce(
      String name, int partitions, int replicationFactor, Map<String, String> configs) {
    int via = runningNodes().get(0);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", ports[via - 1]).usePlaintext().build();
    try {
      return KeelClientGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .createTopics(
              CreateTopicsRequest.newBuilder()
                  .addTopics(
                      NewTopic.newBuilder()
                          .setName(name)
                          .setPartitions(partitions)
                          .setReplicationFactor(replicationFactor)
                          .putAllConfigs(configs))
                  .build())
          .getResults(0);
    } finally {
      channel.shutdownNow();
    }
  }

  /** Waits for {@code condition}, failing with {@code state} after {@code timeout}. */
  public static void await(Duration timeout, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("condition not met within " + timeout + "; " + state.get());
      }
      try {
        Thread.sleep(10); // polling a condition with a deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** Stops every node and deletes the data directories. */
  @Override
  public void close() {
    for (int id : runningNodes()) {
      stopNode(id);
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
