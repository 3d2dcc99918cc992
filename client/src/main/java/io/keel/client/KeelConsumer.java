package io.keel.client;

import io.keel.client.internal.BlockingRpc;
import io.keel.client.internal.ChannelFactory;
import io.keel.client.internal.ChannelPool;
import io.keel.client.internal.Fetcher;
import io.keel.client.internal.GroupCoordinatorClient;
import io.keel.client.internal.GroupMembership;
import io.keel.client.internal.HostPort;
import io.keel.client.internal.MetadataManager;
import io.keel.client.internal.OffsetLookup;
import io.keel.client.internal.SubscriptionState;
import io.keel.client.internal.group.ConsumerGroupMember;
import io.keel.proto.OffsetSpec;
import io.keel.proto.records.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads records from Keel. Not thread-safe: use it from one thread (a second thread calling in
 * concurrently gets ConcurrentModificationException). Fetches are pipelined: poll() sends the next
 * fetches before returning, so they are in flight while the application processes the records.
 * Partitions follow leader changes transparently; every batch's CRC is verified on receipt.
 */
public final class KeelConsumer<K, V> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KeelConsumer.class);
  private static final long MAX_IDLE_WAIT_MS = 100;

  private final KeelConsumerConfig config;
  private final Deserializer<K> keyDeserializer;
  private final Deserializer<V> valueDeserializer;
  private final ChannelPool channels;
  private final MetadataManager metadata;
  private final SubscriptionState subscriptions = new SubscriptionState();
  private final Fetcher fetcher;
  private final OffsetLookup offsets;
  private final GroupCoordinatorClient coordinator; // null without group.id
  private final GroupMembership.Factory membershipFactory;
  // Single-thread guard, reentrant for the owning thread (like Kafka's acquire/release).
  private final AtomicReference<Thread> owner = new AtomicReference<>();
  private int depth;
  private ExecutorService commitExecutor; // created on first commitAsync
  private GroupMembership membership; // non-null while subscribed
  private ConsumerRebalanceListener listener = ConsumerRebalanceListener.noop();
  private long nextAutoCommitMs;
  private boolean closed;

  public KeelConsumer(
      KeelConsumerConfig config,
      Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer) {
    this(config, keyDeserializer, valueDeserializer, ChannelFactory.netty());
  }

  KeelConsumer(
      KeelConsumerConfig config,
      Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer,
      ChannelFactory channelFactory) {
    this.config = config;
    this.keyDeserializer = keyDeserializer;
    this.valueDeserializer = valueDeserializer;
    this.channels = new ChannelPool(channelFactory);
    this.metadata =
        new MetadataManager(
            channels,
            config.bootstrapServers().stream().map(HostPort::parse).toList(),
            config.requestTimeoutMs(),
            config.metadataMaxAgeMs());
    this.fetcher =
        new Fetcher(
            new Fetcher.Settings(
                config.fetchMaxBytes(),
                config.maxPartitionFetchBytes(),
                config.fetchMaxWaitMs(),
                config.fetchMinBytes(),
                config.requestTimeoutMs(),
                config.retryBackoffMs(),
                config.autoOffsetReset(),
                config.deliverAtGate()),
            metadata,
            channels);
    BlockingRpc rpc = new BlockingRpc(channels, config.requestTimeoutMs(), config.retryBackoffMs());
    this.offsets = new OffsetLookup(metadata, rpc);
    this.coordinator =
        config.groupId() == null
            ? null
            : new GroupCoordinatorClient(config.groupId(), metadata, rpc);
    this.membershipFactory = (client, sink) -> new ConsumerGroupMember(client, config, sink);
    this.nextAutoCommitMs = System.currentTimeMillis() + config.autoCommitIntervalMs();
  }

  // ------------------------------------------------------------------ assignment

  /** Reads exactly these partitions, without group management. Replaces any earlier assignment. */
  public void assign(Collection<TopicPartition> partitions) {
    acquire();
    try {
      if (membership != null) {
        throw new IllegalStateException("assign() after subscribe(): call unsubscribe() first");
      }
      subscriptions.assign(partitions);
      fetcher.retainOnly(subscriptions.assignment());
    } finally {
      release();
    }
  }

  /**
   * Joins the consumer group (group.id) and reads the partitions of {@code topics} the group's
   * coordinator assigns; {@code listener} hears about each change.
   */
  public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
    acquire();
    try {
      if (coordinator == null) {
        throw new InvalidConfigException(
            "subscribe() requires group.id to be set; use assign() to read without a group");
      }
      if (membership == null && !subscriptions.assignment().isEmpty()) {
        throw new IllegalStateException("subscribe() after assign(): call unsubscribe() first");
      }
      this.listener = listener;
      subscriptions.subscribe(topics);
      if (membership == null) {
        membership = membershipFactory.create(coordinator, groupSink());
      }
      membership.subscribe(Set.copyOf(topics));
    } finally {
      release();
    }
  }

  public void subscribe(Collection<String> topics) {
    subscribe(topics, ConsumerRebalanceListener.noop());
  }

  /** Leaves the group (if subscribed) and drops every assigned partition. */
  public void unsubscribe() {
    acquire();
    try {
      if (membership != null) {
        membership.leave(deadline(config.defaultApiTimeoutMs()));
        membership = null;
      }
      onAssignment(Set.of());
      subscriptions.subscribe(Set.of());
    } finally {
      release();
    }
  }

  private GroupMembership.AssignmentSink groupSink() {
    return new GroupMembership.AssignmentSink() {
      @Override
      public void onAssignment(Set<TopicPartition> assignment) {
        KeelConsumer.this.onAssignment(assignment);
      }

      @Override
      public void onPartitionsLost() {
        KeelConsumer.this.onPartitionsLost();
      }
    };
  }

  /** Fenced by the coordinator: the partitions already belong to others; nothing is committed. */
  private void onPartitionsLost() {
    List<TopicPartition> lost = new ArrayList<>(subscriptions.assignment());
    subscriptions.assign(Set.of());
    fetcher.retainOnly(Set.of());
    if (!lost.isEmpty()) {
      listener.onPartitionsLost(lost);
    }
  }

  private void onAssignment(Set<TopicPartition> assignment) {
    Set<TopicPartition> current = subscriptions.assignment();
    List<TopicPartition> revoked = new ArrayList<>(current);
    revoked.removeAll(assignment);
    List<TopicPartition> added = new ArrayList<>(assignment);
    added.removeAll(current);
    if (!revoked.isEmpty()) {
      maybeCommitRevoked(revoked);
      listener.onPartitionsRevoked(revoked);
    }
    subscriptions.assign(assignment);
    fetcher.retainOnly(assignment);
    if (!added.isEmpty()) {
      listener.onPartitionsAssigned(added);
    }
  }

  /** With auto-commit, the next owner of a revoked partition resumes where this one stopped. */
  private void maybeCommitRevoked(List<TopicPartition> revoked) {
    if (coordinator == null || !config.enableAutoCommit()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    for (TopicPartition tp : revoked) {
      Long position = subscriptions.position(tp);
      if (position != null) {
        offsets.put(tp, new OffsetAndMetadata(position));
      }
    }
    try {
      doCommit(offsets, deadline(config.requestTimeoutMs()));
    } catch (KeelException e) {
      log.warn("commit of revoked partitions {} failed: {}", revoked, e.getMessage());
    }
  }

  public Set<TopicPartition> assignment() {
    acquire();
    try {
      return subscriptions.assignment();
    } finally {
      release();
    }
  }

  public Set<String> subscription() {
    acquire();
    try {
      return subscriptions.subscribedTopics();
    } finally {
      release();
    }
  }

  // ------------------------------------------------------------------ poll

  /**
   * Returns records at the assigned partitions' positions (each partition in offset order), at most
   * max.poll.records, waiting up to {@code timeout} for some to arrive.
   *
   * @throws OffsetOutOfRangeException when a position is invalid and auto.offset.reset=none
   */
  public ConsumerRecords<K, V> poll(Duration timeout) {
    acquire();
    try {
      ensureOpen();
      if (subscriptions.assignment().isEmpty() && membership == null) {
        throw new IllegalStateException("poll() needs assign() or subscribe() first");
      }
      long deadlineMs = System.currentTimeMillis() + timeout.toMillis();
      while (true) {
        long nowMs = System.currentTimeMillis();
        Map<TopicPartition, List<Record>> records = pollOnce(nowMs);
        if (!records.isEmpty()) {
          return toConsumerRecords(records);
        }
        long remainingMs = deadlineMs - System.currentTimeMillis();
        if (remainingMs <= 0) {
          return ConsumerRecords.empty();
        }
        fetcher.awaitResponse(Math.min(remainingMs, MAX_IDLE_WAIT_MS));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeelException("interrupted in poll()", e);
    } finally {
      release();
    }
  }

  private Map<TopicPartition, List<Record>> pollOnce(long nowMs) {
    if (membership != null) {
      membership.poll(nowMs);
    }
    maybeAutoCommit(nowMs);
    metadata.maybeUpdate(nowMs);
    try {
      updatePositions(deadline(config.requestTimeoutMs()));
    } catch (RetriableException e) {
      log.debug("position lookup failed, retrying in the next poll: {}", e.getMessage());
    }
    Map<TopicPartition, List<Record>> records =
        fetcher.collect(subscriptions, config.maxPollRecords(), nowMs);
    fetcher.sendFetches(subscriptions, fence(), nowMs); // in flight while the app processes
    return records;
  }

  private ConsumerRecords<K, V> toConsumerRecords(Map<TopicPartition, List<Record>> raw) {
    Map<TopicPartition, List<ConsumerRecord<K, V>>> out = new LinkedHashMap<>();
    raw.forEach(
        (tp, records) -> {
          List<ConsumerRecord<K, V>> list = new ArrayList<>(records.size());
          for (Record r : records) {
            list.add(toConsumerRecord(tp, r));
          }
          out.put(tp, list);
        });
    return new ConsumerRecords<>(out);
  }

  private ConsumerRecord<K, V> toConsumerRecord(TopicPartition tp, Record r) {
    List<Header> headers = new ArrayList<>(r.headers().size());
    for (io.keel.proto.records.Header h : r.headers()) {
      headers.add(new Header(h.key(), h.value()));
    }
    try {
      return new ConsumerRecord<>(
          tp.topic(),
          tp.partition(),
          r.offset(),
          r.timestamp(),
          keyDeserializer.deserialize(tp.topic(), r.key()),
          valueDeserializer.deserialize(tp.topic(), r.value()),
          headers);
    } catch (SerializationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SerializationException(
          "cannot deserialize record at offset " + r.offset() + " of " + tp, e);
    }
  }

  /** Gives partitions without a position one: the committed offset, else auto.offset.reset. */
  private void updatePositions(long deadlineNanos) {
    List<TopicPartition> missing = subscriptions.missingPositions();
    if (missing.isEmpty()) {
      return;
    }
    if (coordinator != null) {
      Set<TopicPartition> useCommitted = new HashSet<>();
      for (TopicPartition tp : missing) {
        if (subscriptions.resetStrategy(tp) == null) {
          useCommitted.add(tp);
        }
      }
      if (!useCommitted.isEmpty()) {
        coordinator
            .fetch(useCommitted, deadlineNanos)
            .forEach((tp, om) -> subscriptions.seek(tp, om.offset()));
      }
    }
    Map<TopicPartition, OffsetSpec.Kind> lookups = new LinkedHashMap<>();
    for (TopicPartition tp : subscriptions.missingPositions()) {
      AutoOffsetReset strategy =
          subscriptions.resetStrategy(tp) != null
              ? subscriptions.resetStrategy(tp)
              : config.autoOffsetReset();
      switch (strategy) {
        case EARLIEST -> lookups.put(tp, OffsetSpec.Kind.EARLIEST);
        case LATEST -> lookups.put(tp, OffsetSpec.Kind.LATEST);
        case NONE ->
            throw new OffsetOutOfRangeException(
                tp, -1, "no committed offset for " + tp + " and auto.offset.reset=none");
      }
    }
    offsets.lookup(lookups, deadlineNanos).forEach(subscriptions::seek);
  }

  // ------------------------------------------------------------------ positions

  public void seek(TopicPartition partition, long offset) {
    acquire();
    try {
      subscriptions.seek(partition, offset);
    } finally {
      release();
    }
  }

  /** The next poll starts these partitions at their log start (lazily looked up). */
  public void seekToBeginning(Collection<TopicPartition> partitions) {
    acquire();
    try {
      partitions.forEach(tp -> subscriptions.requestReset(tp, AutoOffsetReset.EARLIEST));
    } finally {
      release();
    }
  }

  /** The next poll starts these partitions after their last committed record. */
  public void seekToEnd(Collection<TopicPartition> partitions) {
    acquire();
    try {
      partitions.forEach(tp -> subscriptions.requestReset(tp, AutoOffsetReset.LATEST));
    } finally {
      release();
    }
  }

  /** The offset of the next record poll() returns for {@code partition}; looks it up if needed. */
  public long position(TopicPartition partition) {
    return position(partition, Duration.ofMillis(config.defaultApiTimeoutMs()));
  }

  public long position(TopicPartition partition, Duration timeout) {
    acquire();
    try {
      if (subscriptions.position(partition) == null) {
        updatePositions(deadline(timeout.toMillis()));
      }
      return subscriptions.position(partition);
    } finally {
      release();
    }
  }

  public void pause(Collection<TopicPartition> partitions) {
    acquire();
    try {
      partitions.forEach(subscriptions::pause);
    } finally {
      release();
    }
  }

  public void resume(Collection<TopicPartition> partitions) {
    acquire();
    try {
      partitions.forEach(subscriptions::resume);
    } finally {
      release();
    }
  }

  public Set<TopicPartition> paused() {
    acquire();
    try {
      return subscriptions.paused();
    } finally {
      release();
    }
  }

  // ------------------------------------------------------------------ commits

  /**
   * Commits the current position of every assigned partition and waits for the broker. The position
   * is the offset after the last record {@link #poll} returned, whether or not the application has
   * handled it (as in Kafka); to commit only handled records, pass their offsets + 1 to {@link
   * #commitSync(Map, Duration)}.
   */
  public void commitSync() {
    commitSync(currentPositions(), Duration.ofMillis(config.defaultApiTimeoutMs()));
  }

  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
    acquire();
    try {
      doCommit(offsets, deadline(timeout.toMillis()));
    } finally {
      release();
    }
  }

  /**
   * Commits the current positions in the background; the future completes when they are durable.
   */
  public CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> commitAsync() {
    Map<TopicPartition, OffsetAndMetadata> offsets = currentPositions();
    acquire();
    try {
      requireGroup("commitAsync()");
      if (commitExecutor == null) {
        commitExecutor =
            Executors.newSingleThreadExecutor(
                r -> Thread.ofPlatform().name("keel-consumer-commit").daemon(true).unstarted(r));
      }
      String memberId = memberId();
      int epoch = memberEpoch();
      long deadline = deadline(config.defaultApiTimeoutMs());
      return CompletableFuture.supplyAsync(
          () -> {
            coordinator.commit(offsets, memberId, epoch, deadline);
            return offsets;
          },
          commitExecutor);
    } finally {
      release();
    }
  }

  /** The group's committed offsets; partitions without one are absent. */
  public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
    acquire();
    try {
      requireGroup("committed()");
      return coordinator.fetch(partitions, deadline(config.defaultApiTimeoutMs()));
    } finally {
      release();
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> currentPositions() {
    acquire();
    try {
      return currentPositionsUnguarded();
    } finally {
      release();
    }
  }

  private void doCommit(Map<TopicPartition, OffsetAndMetadata> offsets, long deadlineNanos) {
    requireGroup("commit");
    if (membership != null && memberId().isEmpty()) {
      throw new RetriableException("not a member of group " + config.groupId() + " yet; rejoining");
    }
    if (!offsets.isEmpty()) {
      coordinator.commit(offsets, memberId(), memberEpoch(), deadlineNanos);
    }
  }

  private void maybeAutoCommit(long nowMs) {
    if (coordinator == null || !config.enableAutoCommit() || nowMs < nextAutoCommitMs) {
      return;
    }
    nextAutoCommitMs = nowMs + config.autoCommitIntervalMs();
    try {
      doCommit(currentPositionsUnguarded(), deadline(config.requestTimeoutMs()));
    } catch (RetriableException e) {
      log.warn(
          "auto-commit failed, retrying in {} ms: {}",
          config.autoCommitIntervalMs(),
          e.getMessage());
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> currentPositionsUnguarded() {
    Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
    subscriptions.positions().forEach((tp, pos) -> out.put(tp, new OffsetAndMetadata(pos)));
    return out;
  }

  private Fetcher.Fence fence() {
    if (membership == null || membership.memberId().isEmpty()) {
      return null;
    }
    return new Fetcher.Fence(config.groupId(), membership.memberId(), membership.memberEpoch());
  }

  private String memberId() {
    return membership == null ? "" : membership.memberId();
  }

  private int memberEpoch() {
    return membership == null ? -1 : membership.memberEpoch();
  }

  private void requireGroup(String what) {
    if (coordinator == null) {
      throw new InvalidConfigException(what + " requires group.id to be set");
    }
  }

  // ------------------------------------------------------------------ lifecycle

  public void close() {
    close(Duration.ofMillis(config.defaultApiTimeoutMs()));
  }

  /** Commits (with enable.auto.commit), leaves the group and releases connections. */
  public void close(Duration timeout) {
    acquire();
    try {
      if (closed) {
        return;
      }
      closed = true;
      long deadline = deadline(timeout.toMillis());
      try {
        if (coordinator != null && config.enableAutoCommit()) {
          doCommit(currentPositionsUnguarded(), deadline);
        }
        if (membership != null) {
          membership.leave(deadline);
        }
      } catch (KeelException e) {
        log.warn("consumer close: final commit or leave failed: {}", e.getMessage());
      } finally {
        if (commitExecutor != null) {
          commitExecutor.shutdown();
          awaitQuietly(commitExecutor, deadline);
        }
        channels.close();
      }
    } finally {
      release();
    }
  }

  private static void awaitQuietly(ExecutorService executor, long deadlineNanos) {
    try {
      executor.awaitTermination(
          Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("consumer is closed");
    }
  }

  private static long deadline(long timeoutMs) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
  }

  private void acquire() {
    Thread me = Thread.currentThread();
    if (owner.get() != me && !owner.compareAndSet(null, me)) {
      throw new ConcurrentModificationException(
          "KeelConsumer is not safe for multi-threaded access");
    }
    depth++;
  }

  private void release() {
    if (--depth == 0) {
      owner.set(null);
    }
  }
}
