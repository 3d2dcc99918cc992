package io.keel.client.testing;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.keel.client.internal.ChannelFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process stand-in for a Keel cluster: N nodes sharing one state, each a real gRPC server on
 * the in-process transport. It implements just enough of KeelClient for client tests: metadata,
 * produce with offsets and per-producer sequence dedup, long-poll fetch, list offsets, producer ids
 * and offset commits. Faults are injected per node and per partition.
 */
public final class FakeKeelCluster implements AutoCloseable {
  /** A fault the next produce for a partition gets. */
  public enum ProduceFault {
    /** Answer NOT_LEADER without appending. */
    NOT_LEADER,
    /** Append, then fail the RPC as if the response were lost. */
    LOSE_RESPONSE,
    /** Answer REQUEST_TIMED_OUT without appending. */
    TIMEOUT
  }

  /** The node that accepts CreateTopics; others answer NOT_CONTROLLER. */
  public static final int CONTROLLER_ID = 2;

  final Object lock = new Object();
  final Map<Integer, String> nodes = new LinkedHashMap<>();
  final Map<String, List<FakePartition>> topics = new HashMap<>(); // guarded by lock
  final Map<String, Map<String, Long>> committed = new HashMap<>(); // group -> "t-p" -> offset
  // group -> member id -> subscribed topics, for the fake KIP-848 coordinator
  final Map<String, java.util.TreeMap<String, List<String>>> groups = new HashMap<>();
  final AtomicInteger groupEpoch = new AtomicInteger();
  final Map<String, Deque<ProduceFault>> produceFaults = new HashMap<>(); // "t-p" -> faults
  final AtomicInteger produceRequests = new AtomicInteger();
  final AtomicInteger fetchRequests = new AtomicInteger();
  final AtomicInteger metadataRequests = new AtomicInteger();
  final AtomicInteger parkedFetches = new AtomicInteger();
  final AtomicInteger nextProducerId = new AtomicInteger(1000);
  private final String prefix;
  private final List<Server> servers = new ArrayList<>();
  private volatile boolean produceBlocked;
  private final java.util.Set<Integer> pausedNodes =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  volatile boolean refuseProducerIds;

  private FakeKeelCluster(String prefix) {
    this.prefix = prefix;
  }

  /**
   * Starts the nodes on real loopback sockets (gRPC over Netty), for code that uses the public
   * constructors; metadata then advertises 127.0.0.1 and the bound ports.
   */
  public static FakeKeelCluster startOnSockets(int nodeCount) throws IOException {
    FakeKeelCluster cluster = new FakeKeelCluster("sockets");
    for (int id = 1; id <= nodeCount; id++) {
      Server server =
          io.grpc.netty.NettyServerBuilder.forAddress(
                  new java.net.InetSocketAddress("127.0.0.1", 0))
              .addService(new FakeNodeService(cluster, id))
              .build()
              .start();
      cluster.servers.add(server);
      cluster.nodes.put(id, "127.0.0.1:" + server.getPort());
    }
    return cluster;
  }

  public static FakeKeelCluster start(int nodeCount) throws IOException {
    FakeKeelCluster cluster = new FakeKeelCluster("fake" + System.nanoTime());
    for (int id = 1; id <= nodeCount; id++) {
      String address = cluster.prefix + "-" + id + ":" + (9090 + id);
      cluster.nodes.put(id, address);
      cluster.servers.add(
          InProcessServerBuilder.forName(address)
              .addService(new FakeNodeService(cluster, id))
              .build()
              .start());
    }
    return cluster;
  }

  /** Channels to node "host:port" strings resolve to the in-process servers. */
  public ChannelFactory channelFactory() {
    return address -> InProcessChannelBuilder.forName(address.toString()).build();
  }

  public String bootstrap() {
    return nodes.get(1);
  }

  public List<String> bootstrapAll() {
    return List.copyOf(nodes.values());
  }

  public void createTopic(String name, int partitions) {
    synchronized (lock) {
      List<FakePartition> list = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        list.add(new FakePartition(1 + p % nodes.size()));
      }
      topics.put(name, list);
    }
  }

  /** Every record of a partition's log, decoded, in offset order. */
  public List<io.keel.proto.records.Record> records(String topic, int partition) {
    synchronized (lock) {
      return topics.get(topic).get(partition).records();
    }
  }

  /** Number of batches in a partition's log. */
  public int batchCount(String topic, int partition) {
    synchronized (lock) {
      return topics.get(topic).get(partition).batches.size();
    }
  }

  public int leaderOf(String topic, int partition) {
    synchronized (lock) {
      return topics.get(topic).get(partition).leaderId;
    }
  }

  /** Deletes records below {@code offset} (retention), whole batches only. */
  public void truncateBefore(String topic, int partition, long offset) {
    synchronized (lock) {
      FakePartition p = topics.get(topic).get(partition);
      while (!p.batches.isEmpty()) {
        var b = io.keel.proto.records.RecordBatch.decode(p.batches.get(0));
        if (b.lastOffset() >= offset) {
          break;
        }
        p.batches.remove(0);
        p.logStartOffset = b.lastOffset() + 1;
      }
    }
  }

  /** Moves leadership; the old leader answers NOT_LEADER from now on. */
  public void moveLeader(String topic, int partition, int newLeader) {
    synchronized (lock) {
      FakePartition p = topics.get(topic).get(partition);
      p.leaderId = newLeader;
      p.leaderEpoch++;
    }
  }

  public void injectProduceFault(String topic, int partition, ProduceFault... faults) {
    synchronized (lock) {
      Deque<ProduceFault> q =
          produceFaults.computeIfAbsent(topic + "-" + partition, k -> new ArrayDeque<>());
      q.addAll(List.of(faults));
    }
  }

  /** While set, InitProducerId fails with NOT_ENOUGH_REPLICAS. */
  public void refuseProducerIds(boolean refuse) {
    refuseProducerIds = refuse;
  }

  public void clearProduceFaults() {
    synchronized (lock) {
      produceFaults.clear();
    }
  }

  /** Producer ids that wrote idempotent batches to a partition. */
  public java.util.Set<Long> producerIds(String topic, int partition) {
    synchronized (lock) {
      return java.util.Set.copyOf(topics.get(topic).get(partition).producers.keySet());
    }
  }

  ProduceFault takeFault(String topic, int partition) {
    Deque<ProduceFault> q = produceFaults.get(topic + "-" + partition);
    return q == null ? null : q.pollFirst();
  }

  /**
   * While paused, the node answers nothing: its metadata and produce calls hang, as on a stopped
   * (SIGSTOP) process whose connections stay open.
   */
  public void pauseNode(int nodeId, boolean paused) {
    if (paused) {
      pausedNodes.add(nodeId);
    } else {
      pausedNodes.remove(nodeId);
    }
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  void awaitNodeResumed(int nodeId) {
    synchronized (lock) {
      while (pausedNodes.contains(nodeId)) {
        try {
          lock.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw Status.CANCELLED.asRuntimeException();
        }
      }
    }
  }

  /** While blocked, produce requests hang (so batches pile up client-side). */
  public void blockProduce(boolean blocked) {
    produceBlocked = blocked;
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  void awaitProduceUnblocked() {
    synchronized (lock) {
      while (produceBlocked) {
        try {
          lock.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw Status.CANCELLED.asRuntimeException();
        }
      }
    }
  }

  public int produceRequests() {
    return produceRequests.get();
  }

  /** Fetches the server holds waiting for data (long-poll). */
  public int parkedFetches() {
    return parkedFetches.get();
  }

  public int metadataRequests() {
    return metadataRequests.get();
  }

  public int fetchRequests() {
    return fetchRequests.get();
  }

  public Long committedOffset(String group, String topic, int partition) {
    synchronized (lock) {
      return committed.getOrDefault(group, Map.of()).get(topic + "-" + partition);
    }
  }

  /** Appends records directly, bypassing the client (for consumer tests). */
  public long append(String topic, int partition, byte[] batch) {
    synchronized (lock) {
      FakePartition p = topics.get(topic).get(partition);
      long base = p.append(batch);
      lock.notifyAll();
      return base;
    }
  }

  @Override
  public void close() {
    blockProduce(false);
    pausedNodes.clear();
    for (Server server : servers) {
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
