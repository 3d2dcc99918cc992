package io.keel.broker.config;

import io.keel.broker.http.HttpSettings;
import io.keel.logstore.FsyncPolicy;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A node's configuration. Sources, later ones winning: defaults, the config file ({@code
 * .properties}, or {@code .yaml}/{@code .yml} where nested maps flatten to dotted keys),
 * environment variables ({@code KEEL_NODE_ID} for {@code node.id}) and explicit overrides ({@code
 * --set k=v}). Unknown keys in the file or the overrides, missing required keys and bad values are
 * rejected with a {@link ConfigException} naming the key.
 */
public final class BrokerConfig {
  public static final ConfigKey<Integer> NODE_ID =
      new ConfigKey<>("node.id", null, "Unique id of this node, >= 1.", Parsers.intAtLeast(1));
  public static final ConfigKey<String> CLUSTER_ID =
      new ConfigKey<>(
          "cluster.id",
          "keel",
          "Name of the cluster; nodes refuse peers of another cluster.",
          Parsers::nonEmpty);
  public static final ConfigKey<HostPort> LISTEN_ADDRESS =
      new ConfigKey<>(
          "listen.address",
          "0.0.0.0:9091",
          "host:port the gRPC server binds (client API; also Raft and controller traffic unless "
              + "internal.listen.address is set).",
          HostPort::parse);
  public static final ConfigKey<HostPort> ADVERTISED_ADDRESS =
      new ConfigKey<>(
          "advertised.address",
          "",
          "host:port clients use to reach this node. Default: listen.address, with the "
              + "machine's host name when listening on a wildcard address.",
          Parsers::optionalHostPort);
  public static final ConfigKey<HostPort> INTERNAL_LISTEN_ADDRESS =
      new ConfigKey<>(
          "internal.listen.address",
          "",
          "host:port of a separate listener for Raft and controller traffic. Default: share "
              + "listen.address.",
          Parsers::optionalHostPort);
  public static final ConfigKey<HostPort> INTERNAL_ADVERTISED_ADDRESS =
      new ConfigKey<>(
          "internal.advertised.address",
          "",
          "host:port other nodes use to reach this node. Default: derived like "
              + "advertised.address from the internal listener.",
          Parsers::optionalHostPort);
  public static final ConfigKey<HostPort> HTTP_ADDRESS =
      new ConfigKey<>(
          "http.address",
          "0.0.0.0:9191",
          "host:port of the HTTP server: /metrics, /health/live, /health/ready and the /v1 HTTP API.",
          HostPort::parse);
  public static final ConfigKey<Path> DATA_DIR =
      new ConfigKey<>(
          "data.dir",
          null,
          "Directory of this node's store (RocksDB).",
          raw -> Path.of(Parsers.nonEmpty(raw)));
  public static final ConfigKey<Map<Integer, HostPort>> CONTROLLER_QUORUM_VOTERS =
      new ConfigKey<>(
          "controller.quorum.voters",
          null,
          "Controller quorum as id@host:port,... (internal addresses). Nodes listed here run "
              + "the metadata Raft group.",
          Parsers::voters);
  public static final ConfigKey<FsyncPolicy> FSYNC =
      new ConfigKey<>(
          "fsync",
          "always",
          "When writes are fsynced: always (before any acknowledgement), interval=<ms>, never.",
          Parsers::fsync);
  public static final ConfigKey<Long> STORAGE_MIN_FREE_BYTES =
      new ConfigKey<>(
          "storage.min.free.bytes",
          "67108864",
          "Below this many free bytes on data.dir's volume, produce requests fail with "
              + "STORAGE_FULL (reads, replication and offset commits go on); 0 disables it.",
          Parsers.longAtLeast(0));
  public static final ConfigKey<Long> STORAGE_CACHED_TAIL_BYTES =
      new ConfigKey<>(
          "storage.cached.tail.bytes",
          "33554432",
          "Bytes at the end of each partition's log left in the OS page cache once fsynced; older "
              + "synced bytes are dropped from it (posix_fadvise) and read around it (O_DIRECT), "
              + "so writes recycle a bounded set of pages. -1 leaves the page cache to the kernel "
              + "(as fsync=never always does).",
          Parsers.longAtLeast(-1));
  public static final ConfigKey<Integer> DEFAULT_PARTITIONS =
      new ConfigKey<>(
          "default.partitions",
          "1",
          "Partitions of a topic created without a count.",
          Parsers.intAtLeast(1));
  public static final ConfigKey<Integer> DEFAULT_REPLICATION_FACTOR =
      new ConfigKey<>(
          "default.replication.factor",
          "3",
          "Replicas of a topic created without a factor; must not exceed the live nodes.",
          Parsers.intAtLeast(1));
  public static final ConfigKey<Long> RETENTION_MS =
      new ConfigKey<>(
          "retention.ms",
          "604800000",
          "Default time retention of topics in ms; -1 keeps records forever.",
          Parsers.positiveOrUnlimited());
  public static final ConfigKey<Long> RETENTION_BYTES =
      new ConfigKey<>(
          "retention.bytes",
          "-1",
          "Default size retention per partition in bytes; -1 means unlimited.",
          Parsers.positiveOrUnlimited());
  public static final ConfigKey<Long> SEGMENT_BYTES =
      new ConfigKey<>(
          "segment.bytes",
          "134217728",
          "A partition's active segment rolls at this size; retention removes whole segments.",
          Parsers.longAtLeast(1));
  public static final ConfigKey<Long> SEGMENT_MS =
      new ConfigKey<>(
          "segment.ms",
          "3600000",
          "A partition's active segment rolls at this age (ms).",
          Parsers.longAtLeast(1));
  public static final ConfigKey<Integer> MAX_REQUEST_BYTES =
      new ConfigKey<>(
          "max.request.bytes",
          "8388608",
          "Largest request (and so record batch) a client may send, in bytes.",
          Parsers.intAtLeast(1024));
  public static final ConfigKey<Integer> RAFT_TICK_MS =
      new ConfigKey<>(
          "raft.tick.ms",
          "50",
          "Period of the Raft clock in ms (with raft.election.ticks 6: elections after 300-600 ms"
              + " without a leader; see docs/raft.md, Timing).",
          Parsers.intAtLeast(1));
  public static final ConfigKey<Integer> RAFT_ELECTION_TICKS =
      new ConfigKey<>(
          "raft.election.ticks",
          "6",
          "Ticks without a leader before a follower campaigns (randomised up to twice this).",
          Parsers.intAtLeast(2));
  public static final ConfigKey<Integer> RAFT_HEARTBEAT_TICKS =
      new ConfigKey<>(
          "raft.heartbeat.ticks", "1", "Ticks between leader heartbeats.", Parsers.intAtLeast(1));
  public static final ConfigKey<Integer> RAFT_EVENT_LOOPS =
      new ConfigKey<>(
          "raft.event.loops",
          "0",
          "Event-loop threads shared by all Raft groups; 0 means one per core, at least 2.",
          Parsers.intAtLeast(0));
  public static final ConfigKey<Long> RAFT_SNAPSHOT_INTERVAL_ENTRIES =
      new ConfigKey<>(
          "raft.snapshot.interval.entries",
          "10000",
          "Applied metadata entries kept in the log before the controller snapshots and "
              + "compacts it.",
          Parsers.longAtLeast(1));
  public static final ConfigKey<Integer> BROKER_SESSION_TIMEOUT_MS =
      new ConfigKey<>(
          "broker.session.timeout.ms",
          "6000",
          "A node the controller has not heard from for this long is marked offline.",
          Parsers.intAtLeast(10));
  public static final ConfigKey<Integer> BROKER_HEARTBEAT_INTERVAL_MS =
      new ConfigKey<>(
          "broker.heartbeat.interval.ms",
          "500",
          "Period of a node's heartbeats to the controller (also how often it pulls metadata).",
          Parsers.intAtLeast(1));
  public static final ConfigKey<Integer> LEADER_BALANCE_INTERVAL_MS =
      new ConfigKey<>(
          "leader.balance.interval.ms",
          "10000",
          "How often the controller moves partition leadership back to preferred leaders.",
          Parsers.intAtLeast(1));
  public static final ConfigKey<Integer> CONTROLLED_SHUTDOWN_TIMEOUT_MS =
      new ConfigKey<>(
          "controlled.shutdown.timeout.ms",
          "30000",
          "How long shutdown waits for this node's leaderships to move to other replicas.",
          Parsers.intAtLeast(0));
  public static final ConfigKey<Integer> CONTROLLER_REQUEST_TIMEOUT_MS =
      new ConfigKey<>(
          "controller.request.timeout.ms",
          "10000",
          "Deadline of topic changes forwarded to the controller when the request sets none.",
          Parsers.intAtLeast(1));
  public static final ConfigKey<Integer> RETENTION_CHECK_INTERVAL_MS =
      new ConfigKey<>(
          "retention.check.interval.ms",
          "60000",
          "How often retention runs, in ms.",
          Parsers.intAtLeast(1));

  public static final ConfigKey<Integer> OFFSETS_TOPIC_PARTITIONS =
      new ConfigKey<>(
          "offsets.topic.partitions",
          "12",
          "Partitions of the internal __consumer_offsets topic, fixed when it is first created.",
          Parsers.intAtLeast(1));
  public static final ConfigKey<Integer> OFFSETS_TOPIC_REPLICATION_FACTOR =
      new ConfigKey<>(
          "offsets.topic.replication.factor",
          "3",
          "Replicas of __consumer_offsets partitions (capped by the live nodes at creation).",
          Parsers.intAtLeast(1));
  public static final ConfigKey<Integer> GROUP_SESSION_TIMEOUT_MS =
      new ConfigKey<>(
          "group.session.timeout.ms",
          "45000",
          "A group member that has not heartbeated for this long (ms) is removed from its group.",
          Parsers.intAtLeast(2));
  public static final ConfigKey<Integer> GROUP_HEARTBEAT_INTERVAL_MS =
      new ConfigKey<>(
          "group.heartbeat.interval.ms",
          "3000",
          "How often group members heartbeat (ms); below group.session.timeout.ms.",
          Parsers.intAtLeast(1));

  public static final ConfigKey<Integer> SHARE_RECORD_LOCK_DURATION_MS =
      new ConfigKey<>(
          "share.record.lock.duration.ms",
          "30000",
          "How long a share-group member holds a record it acquired before it is released (ms).",
          Parsers.intAtLeast(1));
  public static final ConfigKey<Integer> SHARE_DELIVERY_COUNT_LIMIT =
      new ConfigKey<>(
          "share.delivery.count.limit",
          "5",
          "Deliveries of a share-group record before it goes to the dead-letter topic.",
          Parsers.intAtLeast(1));
  public static final ConfigKey<String> SHARE_DEAD_LETTER_TOPIC_SUFFIX =
      new ConfigKey<>(
          "share.dead.letter.topic.suffix",
          ".dlq",
          "A share group's dead letters of topic T go to topic T + this suffix.",
          Parsers::nonEmpty);

  public static final ConfigKey<Integer> HTTP_MAX_BODY_BYTES =
      new ConfigKey<>(
          "http.max.body.bytes",
          "16777216",
          "Largest HTTP API request body, in bytes; larger ones are answered 413 unread.",
          Parsers.intAtLeast(1024));
  public static final ConfigKey<Integer> HTTP_MAX_CONNECTIONS =
      new ConfigKey<>(
          "http.max.connections",
          "1024",
          "Open HTTP connections beyond this are closed as they arrive.",
          Parsers.intAtLeast(1));
  public static final ConfigKey<Integer> HTTP_MAX_INFLIGHT_REQUESTS =
      new ConfigKey<>(
          "http.max.inflight.requests",
          "512",
          "HTTP API requests served at once (long polls included); more are answered 429.",
          Parsers.intAtLeast(1));
  public static final ConfigKey<Integer> HTTP_READ_TIMEOUT_MS =
      new ConfigKey<>(
          "http.read.timeout.ms",
          "30000",
          "An HTTP connection silent this long (ms) while sending a request gets 408; idle, it is"
              + " closed. A long poll in progress is not idle.",
          Parsers.intAtLeast(1));

  /** Every key, in documentation order. */
  public static final List<ConfigKey<?>> KEYS =
      List.of(
          NODE_ID,
          CLUSTER_ID,
          LISTEN_ADDRESS,
          ADVERTISED_ADDRESS,
          INTERNAL_LISTEN_ADDRESS,
          INTERNAL_ADVERTISED_ADDRESS,
          HTTP_ADDRESS,
          DATA_DIR,
          CONTROLLER_QUORUM_VOTERS,
          FSYNC,
          STORAGE_MIN_FREE_BYTES,
          STORAGE_CACHED_TAIL_BYTES,
          DEFAULT_PARTITIONS,
          DEFAULT_REPLICATION_FACTOR,
          RETENTION_MS,
          RETENTION_BYTES,
          SEGMENT_BYTES,
          SEGMENT_MS,
          MAX_REQUEST_BYTES,
          RAFT_TICK_MS,
          RAFT_ELECTION_TICKS,
          RAFT_HEARTBEAT_TICKS,
          RAFT_EVENT_LOOPS,
          RAFT_SNAPSHOT_INTERVAL_ENTRIES,
          BROKER_SESSION_TIMEOUT_MS,
          BROKER_HEARTBEAT_INTERVAL_MS,
          LEADER_BALANCE_INTERVAL_MS,
          CONTROLLED_SHUTDOWN_TIMEOUT_MS,
          CONTROLLER_REQUEST_TIMEOUT_MS,
          RETENTION_CHECK_INTERVAL_MS,
          OFFSETS_TOPIC_PARTITIONS,
          OFFSETS_TOPIC_REPLICATION_FACTOR,
          GROUP_SESSION_TIMEOUT_MS,
          GROUP_HEARTBEAT_INTERVAL_MS,
          SHARE_RECORD_LOCK_DURATION_MS,
          SHARE_DELIVERY_COUNT_LIMIT,
          SHARE_DEAD_LETTER_TOPIC_SUFFIX,
          HTTP_MAX_BODY_BYTES,
          HTTP_MAX_CONNECTIONS,
          HTTP_MAX_INFLIGHT_REQUESTS,
          HTTP_READ_TIMEOUT_MS);

  private final Map<String, String> raw;
  private final Map<String, Object> parsed = new HashMap<>();

  private BrokerConfig(Map<String, String> raw) {
    this.raw = Map.copyOf(raw);
    for (ConfigKey<?> key : KEYS) {
      String value = raw.get(key.name());
      if (value == null) {
        throw new ConfigException(key.name(), "is required (" + key.doc() + ")");
      }
      Object v = key.parse(value);
      if (v != null) {
        parsed.put(key.name(), v);
      }
    }
    checkCombinations();
  }

  /** Loads from an optional file, the process environment and overrides. */
  public static BrokerConfig load(Optional<Path> file, Map<String, String> overrides) {
    return load(file, System.getenv(), overrides);
  }

  /** Loads from an optional file, the given environment and overrides. */
  public static BrokerConfig load(
      Optional<Path> file, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> values = new LinkedHashMap<>();
    for (ConfigKey<?> key : KEYS) {
      if (key.defaultValue() != null) {
        values.put(key.name(), key.defaultValue());
      }
    }
    if (file.isPresent()) {
      putKnown(values, readFile(file.get()), "in " + file.get());
    }
    for (ConfigKey<?> key : KEYS) {
      String fromEnv = env.get(key.envName());
      if (fromEnv != null) {
        values.put(key.name(), fromEnv);
      }
    }
    putKnown(values, overrides, "in --set");
    return new BrokerConfig(values);
  }

  /** A config from explicit values on top of the defaults (tests, embedding). */
  public static BrokerConfig of(Map<String, String> values) {
    return load(Optional.empty(), Map.of(), values);
  }

  private static void putKnown(Map<String, String> into, Map<String, String> from, String where) {
    for (Map.Entry<String, String> e : from.entrySet()) {
      if (KEYS.stream().noneMatch(k -> k.name().equals(e.getKey()))) {
        throw new ConfigException(e.getKey(), "unknown key " + where);
      }
      into.put(e.getKey(), e.getValue());
    }
  }

  private static Map<String, String> readFile(Path file) {
    String name = file.getFileName().toString();
    try (Reader reader = Files.newBufferedReader(file)) {
      if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        Map<String, String> out = new LinkedHashMap<>();
        if (root != null) {
          flatten("", root, out);
        }
        return out;
      }
      Properties props = new Properties();
      props.load(reader);
      Map<String, String> out = new LinkedHashMap<>();
      props.stringPropertyNames().forEach(k -> out.put(k, props.getProperty(k)));
      return out;
    } catch (IOException e) {
      throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage());
    }
  }

  private static void flatten(String prefix, Object node, Map<String, String> out) {
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> flatten(prefix.isEmpty() ? k.toString() : prefix + "." + k, v, out));
    } else if (node instanceof List<?> list) {
      out.put(prefix, String.join(",", list.stream().map(String::valueOf).toList()));
    } else {
      out.put(prefix, node == null ? "" : node.toString());
    }
  }

  private void checkCombinations() {
    if (raftElectionTicks() <= raftHeartbeatTicks()) {
      throw new ConfigException(
          RAFT_ELECTION_TICKS.name(),
          "must be greater than raft.heartbeat.ticks ("
              + raftHeartbeatTicks()
              + "), was "
              + raftElectionTicks());
    }
    if (brokerHeartbeatInterval().compareTo(brokerSessionTimeout()) >= 0) {
      throw new ConfigException(
          BROKER_HEARTBEAT_INTERVAL_MS.name(),
          "must be less than broker.session.timeout.ms ("
              + brokerSessionTimeout().toMillis()
              + "), was "
              + brokerHeartbeatInterval().toMillis());
    }
  }

  @SuppressWarnings("unchecked")
  public <T> T get(ConfigKey<T> key) {
    return (T) parsed.get(key.name());
  }

  /** The raw string values, after defaults, file, environment and overrides. */
  public Map<String, String> values() {
    return raw;
  }

  public int nodeId() {
    return get(NODE_ID);
  }

  public String clusterId() {
    return get(CLUSTER_ID);
  }

  public HostPort listenAddress() {
    return get(LISTEN_ADDRESS);
  }

  /** Where clients reach this node; its port is the listener's actual one when that was 0. */
  public HostPort advertisedAddress(int boundPort) {
    HostPort explicit = get(ADVERTISED_ADDRESS);
    return explicit != null ? explicit : derived(listenAddress(), boundPort);
  }

  public Optional<HostPort> internalListenAddress() {
    return Optional.ofNullable(get(INTERNAL_LISTEN_ADDRESS));
  }

  /** Where other nodes reach this node, given the internal listener's bound port. */
  public HostPort internalAdvertisedAddress(int boundPort) {
    HostPort explicit = get(INTERNAL_ADVERTISED_ADDRESS);
    if (explicit != null) {
      return explicit;
    }
    return internalListenAddress().isPresent()
        ? derived(internalListenAddress().get(), boundPort)
        : advertisedAddress(boundPort);
  }

  private static HostPort derived(HostPort listen, int boundPort) {
    String host = listen.wildcard() ? localHostName() : listen.host();
    return new HostPort(host, listen.port() == 0 ? boundPort : listen.port());
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  public HostPort httpAddress() {
    return get(HTTP_ADDRESS);
  }

  public Path dataDir() {
    return get(DATA_DIR);
  }

  public Map<Integer, HostPort> controllerQuorumVoters() {
    return get(CONTROLLER_QUORUM_VOTERS);
  }

  public boolean isController() {
    return controllerQuorumVoters().containsKey(nodeId());
  }

  public FsyncPolicy fsync() {
    return get(FSYNC);
  }

  public int defaultPartitions() {
    return get(DEFAULT_PARTITIONS);
  }

  public int defaultReplicationFactor() {
    return get(DEFAULT_REPLICATION_FACTOR);
  }

  public long retentionMs() {
    return get(RETENTION_MS);
  }

  public long retentionBytes() {
    return get(RETENTION_BYTES);
  }

  public long segmentBytes() {
    return get(SEGMENT_BYTES);
  }

  public long storageMinFreeBytes() {
    return get(STORAGE_MIN_FREE_BYTES);
  }

  public long storageCachedTailBytes() {
    return get(STORAGE_CACHED_TAIL_BYTES);
  }

  public Duration segmentAge() {
    return Duration.ofMillis(get(SEGMENT_MS));
  }

  public int maxRequestBytes() {
    return get(MAX_REQUEST_BYTES);
  }

  public HttpSettings httpSettings() {
    return new HttpSettings(
        get(HTTP_MAX_BODY_BYTES),
        get(HTTP_MAX_CONNECTIONS),
        get(HTTP_MAX_INFLIGHT_REQUESTS),
        Duration.ofMillis(get(HTTP_READ_TIMEOUT_MS)),
        maxRequestBytes());
  }

  public Duration raftTick() {
    return Duration.ofMillis(get(RAFT_TICK_MS));
  }

  public int raftElectionTicks() {
    return get(RAFT_ELECTION_TICKS);
  }

  public int raftHeartbeatTicks() {
    return get(RAFT_HEARTBEAT_TICKS);
  }

  /** Event loops to run: the configured count, or one per core and at least two. */
  public int raftEventLoops() {
    int configured = get(RAFT_EVENT_LOOPS);
    return configured > 0 ? configured : Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  public long raftSnapshotIntervalEntries() {
    return get(RAFT_SNAPSHOT_INTERVAL_ENTRIES);
  }

  public Duration brokerSessionTimeout() {
    return Duration.ofMillis(get(BROKER_SESSION_TIMEOUT_MS));
  }

  public Duration brokerHeartbeatInterval() {
    return Duration.ofMillis(get(BROKER_HEARTBEAT_INTERVAL_MS));
  }

  public Duration leaderBalanceInterval() {
    return Duration.ofMillis(get(LEADER_BALANCE_INTERVAL_MS));
  }

  public Duration controlledShutdownTimeout() {
    return Duration.ofMillis(get(CONTROLLED_SHUTDOWN_TIMEOUT_MS));
  }

  public Duration controllerRequestTimeout() {
    return Duration.ofMillis(get(CONTROLLER_REQUEST_TIMEOUT_MS));
  }

  public Duration retentionCheckInterval() {
    return Duration.ofMillis(get(RETENTION_CHECK_INTERVAL_MS));
  }
}
