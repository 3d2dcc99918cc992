package io.keel.broker;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.keel.broker.api.ApiSettings;
import io.keel.broker.api.KeelClientService;
import io.keel.broker.api.PeerStubs;
import io.keel.broker.config.BrokerConfig;
import io.keel.broker.config.HostPort;
import io.keel.broker.controller.BrokerLifecycle;
import io.keel.broker.controller.ControllerClient;
import io.keel.broker.controller.ControllerService;
import io.keel.broker.controller.ControllerSettings;
import io.keel.broker.controller.LeaderReportingObserver;
import io.keel.broker.controller.MetadataCache;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.QuorumController;
import io.keel.broker.group.GroupCoordinatorService;
import io.keel.broker.group.GroupSettings;
import io.keel.broker.http.HttpEndpoints;
import io.keel.broker.metrics.BrokerMetrics;
import io.keel.broker.metrics.RequestMetricsInterceptor;
import io.keel.broker.partition.PartitionManager;
import io.keel.broker.partition.PartitionStatus;
import io.keel.broker.partition.ProducerIdAllocator;
import io.keel.broker.raft.EventLoopRuntime;
import io.keel.broker.raft.RaftGroup;
import io.keel.broker.raft.RaftObserver;
import io.keel.broker.raft.RuntimeConfig;
import io.keel.broker.replica.ReplicaFences;
import io.keel.broker.replica.ReplicaService;
import io.keel.broker.share.ShareService;
import io.keel.broker.share.ShareSettings;
import io.keel.broker.transport.GrpcRaftTransport;
import io.keel.broker.transport.PeerDirectory;
import io.keel.broker.transport.RaftTransportService;
import io.keel.logstore.LogStore;
import io.keel.logstore.LogStoreConfig;
import io.keel.logstore.RetentionPolicy;
import io.keel.proto.RegisterBrokerRequest;
import io.keel.raft.Checks;
import io.keel.raft.Membership;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Keel node assembled from a {@link BrokerConfig}: the store, the Raft runtime and transport,
 * the controller (on quorum nodes), the partitions, the gRPC services on the given server builder
 * and the HTTP endpoints. {@link #shutdown(Duration)} is the controlled shutdown.
 */
public final class Broker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Broker.class);
  private static final int PEER_QUEUE_MESSAGES = 16_384;
  private static final int GRPC_MAX_INBOUND_BYTES = 64 << 20;
  private static final long SHUTDOWN_POLL_MS = 20;
  private static final Duration CLIENT_KEEPALIVE_MIN = Duration.ofSeconds(5);
  private static final Duration FENCE_RETRY = Duration.ofMillis(500);

  private final BrokerConfig config;
  private final ServerBuilder<?> serverBuilder;
  private final CompletableFuture<Throwable> fatal = new CompletableFuture<>();
  private final BrokerMetrics metrics;
  private final MetadataCache cache;
  private final ScheduledExecutorService scheduler;
  private LogStore store;
  private GrpcRaftTransport transport;
  private EventLoopRuntime runtime;
  private ReplicaFences fences;
  private QuorumController controller;
  private ControllerClient controllerClient;
  private PartitionManager partitions;
  private GroupCoordinatorService groups;
  private ShareService shares;
  private volatile BrokerLifecycle lifecycle;
  private final PeerStubs peerStubs = new PeerStubs();
  private Server server;
  private Server internalServer;
  private HttpEndpoints http;
  private KeelClientService clientService;
  private HostPort clientAddress;
  private HostPort internalAddress;
  private volatile boolean started;
  private volatile boolean stopping;

  public Broker(BrokerConfig config, ServerBuilder<?> serverBuilder) {
    this.config = config;
    this.serverBuilder = serverBuilder;
    this.metrics = new BrokerMetrics(config.nodeId());
    this.cache = new MetadataCache(config.dataDir().resolve("metadata-image"));
    this.scheduler =
        Executors.newScheduledThreadPool(
            2, Thread.ofPlatform().name("broker-" + config.nodeId() + "-timer", 0).factory());
  }

  /** A broker listening on {@code listen.address} with the Netty transport. */
  public static Broker create(BrokerConfig config) {
    HostPort listen = config.listenAddress();
    return new Broker(
        config, NettyServerBuilder.forAddress(new InetSocketAddress(listen.host(), listen.port())));
  }

  /** Starts every component; returns once the servers listen (see {@link #isReady()}). */
  public synchronized Broker start() {
    Checks.state(!started && !stopping, "node %s already started", config.nodeId());
    try {
      startComponents();
    } catch (RuntimeException e) {
      log.error("node {} failed to start", config.nodeId(), e);
      closeComponents();
      throw e;
    }
    started = true;
    log.info(
        "node {} started: client {}, internal {}, http port {}, controller {}",
        config.nodeId(),
        clientAddress,
        internalAddress,
        http.port(),
        controller != null ? "voter" : "no");
    return this;
  }

  private void startComponents() {
    int nodeId = config.nodeId();
    store = LogStore.open(storeConfig());
    transport =
        new GrpcRaftTransport(nodeId, config.clusterId(), peerDirectory(), PEER_QUEUE_MESSAGES);
    RaftObserver observer = new LeaderReportingObserver(metrics, this::heartbeatNow);
    fences =
        new ReplicaFences(
            nodeId,
            config.clusterId(),
            peerDirectory(),
            scheduler,
            FENCE_RETRY,
            config.controllerRequestTimeout());
    runtime =
        new EventLoopRuntime(runtimeConfig(), store, transport, observer, this::onFatal, fences);
    if (config.isController()) {
      controller =
          new QuorumController(
              controllerSettings(),
              runtime,
              Membership.ofVoters(config.controllerQuorumVoters().keySet()),
              cache,
              System::nanoTime);
    }
    controllerClient =
        new ControllerClient(
            voterAddresses(), cache, config.controllerRequestTimeout(), this::heartbeatNow);
    partitions =
        new PartitionManager(
            nodeId,
            runtime,
            store::partitionLog,
            cache,
            metrics.registry(),
            scheduler,
            partitionSettings(),
            InstantSource.system());
    groups =
        new GroupCoordinatorService(
            nodeId,
            runtime,
            cache,
            controllerClient::createTopics,
            metrics.registry(),
            scheduler,
            groupSettings(),
            InstantSource.system());
    shares =
        new ShareService(
            groups,
            cache,
            controllerClient::createTopics,
            metrics.registry(),
            scheduler,
            shareSettings(),
            InstantSource.system());
    startServers();
    if (controller != null) {
      controller.start();
    }
    partitions.start();
    groups.start();
    shares.start();
    // Peers backing off towards this restarted node hear our hello and reconnect now.
    transport.connect(knownPeers());
    lifecycle =
        new BrokerLifecycle(
            registration(), config.brokerHeartbeatInterval(), controllerClient, cache, runtime);
    lifecycle.start();
    http =
        new HttpEndpoints(
            config.httpAddress(),
            config.httpSettings(),
            metrics::scrape,
            this::isReady,
            nodeId,
            clientService,
            shares,
            shareSettings(),
            cache,
            InstantSource.system());
    registerGauges();
  }

  private void heartbeatNow() {
    BrokerLifecycle current = lifecycle;
    if (current != null) {
      current.refreshNow();
    }
  }

  private void startServers() {
    RaftTransportService raftService =
        new RaftTransportService(
            config.nodeId(), config.clusterId(), m -> runtime.deliver(m), transport::heardFrom);
    ControllerService controllerService = new ControllerService(controller, cache);
    clientService =
        new KeelClientService(
            config.nodeId(),
            config.clusterId(),
            partitions,
            cache,
            controllerClient,
            new ProducerIdAllocator(
                config.dataDir().resolve("producer-ids"), config.nodeId(), 1_000),
            ApiSettings.defaults().withMaxRequestBytes(config.maxRequestBytes()),
            scheduler,
            groups,
            peerStubs);
    serverBuilder.maxInboundMessageSize(
        Math.max(GRPC_MAX_INBOUND_BYTES, config.maxRequestBytes() + (1 << 20)));
    if (serverBuilder instanceof NettyServerBuilder netty) {
      // Clients ping every 10 s while calls are open, to notice a node that stopped answering.
      netty.permitKeepAliveTime(CLIENT_KEEPALIVE_MIN.toMillis(), TimeUnit.MILLISECONDS);
    }
    serverBuilder.addService(
        ServerInterceptors.intercept(clientService, new RequestMetricsInterceptor(metrics)));
    ReplicaService replicaService =
        new ReplicaService(
            config.nodeId(),
            config.clusterId(),
            runtime,
            cache,
            (t, p) -> partitions.rebuild(t, p));
    // Operators reach it on the client port (keel partition rebuild); peers on the internal one.
    serverBuilder.addService(replicaService);
    serverBuilder.addService(shares);
    Optional<HostPort> internalListen = config.internalListenAddress();
    ServerBuilder<?> internalBuilder =
        internalListen.isPresent()
            ? NettyServerBuilder.forAddress(
                    new InetSocketAddress(internalListen.get().host(), internalListen.get().port()))
                .maxInboundMessageSize(GRPC_MAX_INBOUND_BYTES)
            : serverBuilder;
    internalBuilder.addService(raftService).addService(controllerService);
    if (internalBuilder != serverBuilder) {
      internalBuilder.addService(replicaService);
    }
    try {
      server = serverBuilder.build().start();
      internalServer = internalListen.isPresent() ? internalBuilder.build().start() : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the gRPC server of node " + config.nodeId(), e);
    }
    clientAddress = config.advertisedAddress(server.getPort());
    internalAddress =
        config.internalAdvertisedAddress(
            internalServer != null ? internalServer.getPort() : server.getPort());
  }

  private RegisterBrokerRequest registration() {
    return RegisterBrokerRequest.newBuilder()
        .setNodeId(config.nodeId())
        .setClusterId(config.clusterId())
        .setClientAddress(clientAddress.toString())
        .setInternalAddress(internalAddress.toString())
        .build();
  }

  private void registerGauges() {
    metrics.gauge(
        "keel.raft.groups", "Raft group replicas hosted here", () -> runtime.groups().size());
    metrics.gauge(
        "keel.raft.groups.led",
        "Raft groups led by this node",
        () -> runtime.groups().stream().filter(RaftGroup::isLeader).count());
    metrics.underReplicatedPartitions(this::underReplicatedPartitions);
    metrics.gauge(
        "keel.raft.groups.quarantined",
        "Raft group replicas stopped here after a storage error or a broken invariant",
        () -> runtime.groups().stream().filter(g -> g.quarantineCause().isPresent()).count());
    metrics.gauge(
        "keel.raft.groups.rejoining",
        "Raft group replicas here whose store was fresh and that wait for a term fence",
        () -> runtime.groups().stream().filter(RaftGroup::rejoining).count());
    metrics.gauge(
        "keel.raft.transport.dropped",
        "Raft messages dropped because a peer's queue was full",
        transport::droppedMessages);
    // For alerting (deploy/prometheus/alerts.yml): no node active means no controller.
    metrics.gauge(
        "keel.controller.active",
        "1 on the node leading the controller quorum, else 0",
        () -> controller != null && controller.leaderId() == config.nodeId() ? 1 : 0);
    new DiskSpaceMetrics(config.dataDir().toFile()).bindTo(metrics.registry());
  }

  /** Partitions led here whose last status found a voter behind (see PartitionStatus). */
  private long underReplicatedPartitions() {
    return partitions.replicas().stream()
        .map(r -> partitions.status(r.id().topic(), r.id().partition()))
        .filter(s -> s.map(PartitionStatus::underReplicated).orElse(false))
        .count();
  }

  /**
   * This node's own configuration says how it reaches the voters (the route may differ per node: a
   * NAT, a proxy); other nodes are reached at the internal address they registered.
   */
  private PeerDirectory peerDirectory() {
    Map<Integer, String> voters = voterAddresses();
    return nodeId ->
        Optional.ofNullable(voters.get(nodeId))
            .or(() -> cache.image().broker(nodeId).map(b -> b.internalAddress()));
  }

  /** The voters and every node of the metadata kept on disk (empty on a first start). */
  private Set<Integer> knownPeers() {
    Set<Integer> peers = new TreeSet<>(config.controllerQuorumVoters().keySet());
    peers.addAll(cache.image().brokers().keySet());
    return peers;
  }

  private Map<Integer, String> voterAddresses() {
    Map<Integer, String> out = new TreeMap<>();
    config.controllerQuorumVoters().forEach((id, hp) -> out.put(id, hp.toString()));
    return out;
  }

  private LogStoreConfig storeConfig() {
    return LogStoreConfig.defaults(config.dataDir().resolve("store"))
        .withFsyncPolicy(config.fsync())
        .withSegments(config.segmentBytes(), config.segmentAge())
        .withMinFreeBytes(config.storageMinFreeBytes())
        .withCachedTailBytes(config.storageCachedTailBytes());
  }

  private RuntimeConfig runtimeConfig() {
    return new RuntimeConfig(
        config.nodeId(),
        config.raftEventLoops(),
        config.raftTick(),
        config.raftElectionTicks(),
        config.raftHeartbeatTicks(),
        config.raftSnapshotIntervalEntries());
  }

  private ControllerSettings controllerSettings() {
    return new ControllerSettings(
        config.nodeId(),
        config.clusterId(),
        config.brokerSessionTimeout(),
        config.leaderBalanceInterval(),
        config.defaultPartitions(),
        config.defaultReplicationFactor());
  }

  private PartitionManager.Settings partitionSettings() {
    PartitionManager.Settings defaults = PartitionManager.Settings.defaults();
    Duration retentionTime =
        config.retentionMs() < 0
            ? RetentionPolicy.UNLIMITED_TIME
            : Duration.ofMillis(config.retentionMs());
    return new PartitionManager.Settings(
        defaults.maxProducerIds(),
        new RetentionPolicy(retentionTime, config.retentionBytes()),
        config.retentionCheckInterval(),
        defaults.statusInterval());
  }

  private GroupSettings groupSettings() {
    return new GroupSettings(
        config.get(BrokerConfig.OFFSETS_TOPIC_PARTITIONS),
        config.get(BrokerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR),
        Duration.ofMillis(config.get(BrokerConfig.GROUP_SESSION_TIMEOUT_MS)),
        Duration.ofMillis(config.get(BrokerConfig.GROUP_HEARTBEAT_INTERVAL_MS)),
        // Refresh group gauges at least once per session timeout (tests use short ones).
        Duration.ofMillis(
            Math.min(
                GroupSettings.defaults().lagRefreshInterval().toMillis(),
                config.get(BrokerConfig.GROUP_SESSION_TIMEOUT_MS))));
  }

  private ShareSettings shareSettings() {
    ShareSettings d = ShareSettings.defaults();
    int lockMs = config.get(BrokerConfig.SHARE_RECORD_LOCK_DURATION_MS);
    return new ShareSettings(
        Duration.ofMillis(lockMs),
        config.get(BrokerConfig.SHARE_DELIVERY_COUNT_LIMIT),
        config.get(BrokerConfig.SHARE_DEAD_LETTER_TOPIC_SUFFIX),
        d.partitionMaxInFlight(),
        d.memberMaxAcquired(),
        d.fetchMaxRecords(),
        Duration.ofMillis(config.get(BrokerConfig.GROUP_SESSION_TIMEOUT_MS)),
        Duration.ofMillis(config.get(BrokerConfig.GROUP_HEARTBEAT_INTERVAL_MS)),
        Duration.ofMillis(Math.max(10, Math.min(100, lockMs / 10))));
  }

  private void onFatal(Throwable t) {
    log.error("node {} hit a fatal error and stops serving", config.nodeId(), t);
    fatal.complete(t);
  }

  /** Completes with the error if an event loop stopped on a broken invariant. */
  public CompletableFuture<Throwable> fatalError() {
    return fatal;
  }

  /** Registered with the controller, caught up on metadata and not shutting down. */
  public boolean isReady() {
    return started
        && !stopping
        && !fatal.isDone()
        && lifecycle.ready()
        && (controller == null || controller.leaderId() != 0);
  }

  public int nodeId() {
    return config.nodeId();
  }

  public BrokerConfig config() {
    return config;
  }

  public HostPort clientAddress() {
    return clientAddress;
  }

  public int httpPort() {
    return http.port();
  }

  public MetadataView metadata() {
    return cache;
  }

  public EventLoopRuntime runtime() {
    return runtime;
  }

  public PartitionManager partitions() {
    return partitions;
  }

  public GroupCoordinatorService groups() {
    return groups;
  }

  public BrokerMetrics metrics() {
    return metrics;
  }

  /** This node's controller, or null if it is not in the controller quorum. */
  public QuorumController controller() {
    return controller;
  }

  /**
   * Controlled shutdown: tells the controller (so no leadership moves here), hands every group this
   * node leads to its most caught-up peer, waits until none is led here or {@code timeout} passes,
   * then stops.
   */
  public void shutdown(Duration timeout) {
    synchronized (this) {
      if (!started || stopping) {
        return;
      }
      stopping = true;
    }
    Duration bounded =
        timeout.compareTo(config.controlledShutdownTimeout()) < 0
            ? timeout
            : config.controlledShutdownTimeout();
    log.info("node {}: controlled shutdown, moving leadership away", config.nodeId());
    lifecycle.beginShutdown();
    long deadline = System.nanoTime() + bounded.toNanos();
    long nextTransfer = System.nanoTime();
    while (System.nanoTime() - deadline < 0 && leadsAnyGroup()) {
      if (System.nanoTime() - nextTransfer >= 0) {
        LeadershipHandoff.transferAll(runtime.groups(), cache.image(), config.nodeId());
        nextTransfer = System.nanoTime() + electionTimeout().toNanos();
      }
      sleepQuietly(SHUTDOWN_POLL_MS);
    }
    if (leadsAnyGroup()) {
      log.warn("node {}: some leaderships did not move within {}", config.nodeId(), bounded);
    }
    stopComponents();
  }

  private boolean leadsAnyGroup() {
    return runtime.groups().stream().anyMatch(RaftGroup::isLeader);
  }

  private Duration electionTimeout() {
    return config.raftTick().multipliedBy(config.raftElectionTicks());
  }

  /** Stops at once, without moving leadership (like a crash, but closing files cleanly). */
  @Override
  public void close() {
    synchronized (this) {
      if (!started) {
        return;
      }
      stopping = true;
    }
    stopComponents();
  }

  private synchronized void stopComponents() {
    if (!started) {
      return;
    }
    started = false;
    closeComponents();
    log.info("node {} stopped", config.nodeId());
  }

  /** Closes whatever was started, in dependency order; also after a failed start. */
  private void closeComponents() {
    closeIfOpen(http); // first: no API request may reach a component being closed
    closeIfOpen(lifecycle);
    closeIfOpen(shares);
    closeIfOpen(groups);
    closeIfOpen(partitions);
    closeIfOpen(controller);
    stopServer(server);
    stopServer(internalServer);
    closeIfOpen(runtime);
    closeIfOpen(fences);
    closeIfOpen(transport);
    closeIfOpen(controllerClient);
    closeIfOpen(peerStubs);
    cache.close();
    scheduler.shutdownNow();
    closeIfOpen(store);
    metrics.close();
  }

  private void closeIfOpen(AutoCloseable component) {
    if (component == null) {
      return;
    }
    try {
      component.close();
    } catch (Exception e) {
      log.warn("node {}: closing {} failed", config.nodeId(), component.getClass().getName(), e);
    }
  }

  private static void stopServer(Server s) {
    if (s == null) {
      return;
    }
    s.shutdownNow();
    try {
      s.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms); // polling for leadership handoff, bounded by the shutdown deadline
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
