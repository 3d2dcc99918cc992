package io.keel.client.share;

import io.keel.client.ConsumerRecord;
import io.keel.client.ConsumerRecords;
import io.keel.client.Deserializer;
import io.keel.client.Header;
import io.keel.client.KeelException;
import io.keel.client.TopicPartition;
import io.keel.client.internal.BlockingRpc;
import io.keel.client.internal.ChannelFactory;
import io.keel.client.internal.ChannelPool;
import io.keel.client.internal.HostPort;
import io.keel.client.internal.MetadataManager;
import io.keel.client.internal.ShareCoordinatorClient;
import io.keel.proto.AcquiredRecord;
import io.keel.proto.ErrorDetail;
import io.keel.proto.KeelShareGrpc.KeelShareBlockingStub;
import io.keel.proto.ShareAcknowledgeRequest;
import io.keel.proto.ShareAcknowledgeResponse;
import io.keel.proto.ShareAcknowledgeResult;
import io.keel.proto.ShareAcknowledgement;
import io.keel.proto.ShareError;
import io.keel.proto.ShareErrorCode;
import io.keel.proto.ShareFetchRequest;
import io.keel.proto.ShareFetchResponse;
import io.keel.proto.ShareGroupHeartbeatRequest;
import io.keel.proto.ShareGroupHeartbeatResponse;
import io.keel.proto.ShareRecordHeader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A member of a share group, in the shape of Kafka's {@code KafkaShareConsumer}: any number of
 * members read the same topics, each record is handed to one member at a time under an acquisition
 * lock and acknowledged one by one ({@link #acknowledge(ConsumerRecord, AcknowledgeType)}), sent
 * with the next {@link #poll}, {@link #commitSync} or {@link #commitAsync}. In implicit mode
 * ({@code share.acknowledgement.mode=implicit}, the default) the next poll or commit accepts every
 * record of the previous poll that was not acknowledged. Not thread-safe (like Kafka's), except
 * {@link #wakeup}-free close from the polling thread. Guarantee: at least once (docs/queues.md).
 */
public final class KeelShareConsumer<K, V> implements AutoCloseable {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(KeelShareConsumer.class);

  private final KeelShareConsumerConfig config;
  private final Deserializer<K> keys;
  private final Deserializer<V> values;
  private final ChannelPool clientChannels;
  private final MetadataManager metadata;
  private final BlockingRpc rpc;
  private final ShareCoordinatorClient shares;
  private final ScheduledExecutorService heartbeats;
  private volatile String memberId = "";
  private volatile List<String> topics = List.of();
  private volatile int heartbeatIntervalMs = 3000;
  // Records of the last poll not acknowledged yet, and acknowledgements not sent yet.
  private final Map<Key, ConsumerRecord<K, V>> unacknowledged = new LinkedHashMap<>();
  private final Map<Key, AcknowledgeType> pending = new LinkedHashMap<>();

  private record Key(String topic, int partition, long offset) {}

  public KeelShareConsumer(
      KeelShareConsumerConfig config, Deserializer<K> keys, Deserializer<V> values) {
    this.config = config;
    this.keys = keys;
    this.values = values;
    this.clientChannels = new ChannelPool(ChannelFactory.netty());
    this.metadata =
        new MetadataManager(
            clientChannels,
            config.bootstrapServers().stream().map(HostPort::parse).toList(),
            config.requestTimeoutMs(),
            300_000);
    this.rpc = new BlockingRpc(clientChannels, config.requestTimeoutMs(), config.retryBackoffMs());
    this.shares =
        new ShareCoordinatorClient(
            config.groupId(),
            metadata,
            rpc,
            clientChannels,
            config.requestTimeoutMs(),
            config.retryBackoffMs());
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keel-share-heartbeat-" + config.groupId());
              t.setDaemon(true);
              return t;
            });
  }

  /** Joins the share group for these topics (replacing earlier ones). */
  public void subscribe(Collection<String> subscribed) {
    topics = List.copyOf(subscribed);
    heartbeat(memberId.isEmpty() ? 0 : 1);
    heartbeats.scheduleWithFixedDelay(
        this::backgroundHeartbeat, heartbeatIntervalMs, heartbeatIntervalMs, TimeUnit.MILLISECONDS);
  }

  public String memberId() {
    return memberId;
  }

  private void backgroundHeartbeat() {
    try {
      heartbeat(1);
    } catch (RuntimeException e) {
      log.debug("share heartbeat failed: {}", e.toString());
    }
  }

  private synchronized void heartbeat(int epoch) {
    ShareGroupHeartbeatResponse r =
        call(
            s ->
                s.shareGroupHeartbeat(
                    ShareGroupHeartbeatRequest.newBuilder()
                        .setGroupId(config.groupId())
                        .setMemberId(memberId)
                        .setMemberEpoch(epoch)
                        .setClientId(config.clientId())
                        .addAllSubscribedTopics(topics)
                        .build()),
            ShareGroupHeartbeatResponse::getError);
    if (r.getShareError().getCode() == ShareErrorCode.SHARE_UNKNOWN_MEMBER && epoch > 0) {
      log.info("share group {}: member {} unknown; rejoining", config.groupId(), memberId);
      memberId = "";
      heartbeat(0);
      return;
    }
    checkShare(r.getShareError());
    memberId = r.getMemberId();
    heartbeatIntervalMs = Math.max(10, r.getHeartbeatIntervalMs());
  }

  /** Acquires records: up to max.poll.records, waiting up to {@code timeout} for some. */
  public ConsumerRecords<K, V> poll(Duration timeout) {
    Map<TopicPartition, List<ConsumerRecord<K, V>>> out = new LinkedHashMap<>();
    for (ShareRecord<K, V> r : pollShare(timeout)) {
      out.computeIfAbsent(r.record().topicPartition(), k -> new ArrayList<>()).add(r.record());
    }
    return new ConsumerRecords<>(out);
  }

  /** Like {@link #poll}, with each record's delivery count and lock deadline. */
  public List<ShareRecord<K, V>> pollShare(Duration timeout) {
    if (topics.isEmpty()) {
      throw new IllegalStateException("poll() before subscribe()");
    }
    try {
      flush();
    } catch (ShareAcknowledgementException e) {
      log.warn("share group {}: {}", config.groupId(), e.getMessage());
    }
    int waitMs = (int) Math.min(timeout.toMillis(), config.fetchMaxWaitMs());
    ShareFetchResponse r =
        call(
            s ->
                s.withDeadlineAfter(config.requestTimeoutMs() + waitMs, TimeUnit.MILLISECONDS)
                    .shareFetch(
                        ShareFetchRequest.newBuilder()
                            .setGroupId(config.groupId())
                            .setMemberId(memberId)
                            .setMaxRecords(config.maxPollRecords())
                            .setMaxWaitMs(waitMs)
                            .build()),
            ShareFetchResponse::getError);
    if (r.getShareError().getCode() == ShareErrorCode.SHARE_UNKNOWN_MEMBER) {
      heartbeat(0);
      return List.of();
    }
    checkShare(r.getShareError());
    List<ShareRecord<K, V>> out = new ArrayList<>();
    for (AcquiredRecord a : r.getRecordsList()) {
      List<Header> headers = new ArrayList<>();
      for (ShareRecordHeader h : a.getHeadersList()) {
        headers.add(new Header(h.getKey(), h.getValue().toByteArray()));
      }
      ConsumerRecord<K, V> record =
          new ConsumerRecord<>(
              a.getTopic(),
              a.getPartition(),
              a.getOffset(),
              a.getTimestamp(),
              a.getHasKey() ? keys.deserialize(a.getTopic(), a.getKey().toByteArray()) : null,
              values.deserialize(a.getTopic(), a.getValue().toByteArray()),
              headers);
      unacknowledged.put(new Key(a.getTopic(), a.getPartition(), a.getOffset()), record);
      out.add(new ShareRecord<>(record, a.getDeliveryCount(), a.getLockDeadlineMs()));
    }
    return out;
  }

  /** Accepts the record (sent with the next poll or commit). */
  public void acknowledge(ConsumerRecord<K, V> record) {
    acknowledge(record, AcknowledgeType.ACCEPT);
  }

  public void acknowledge(ConsumerRecord<K, V> record, AcknowledgeType type) {
    Key k = new Key(record.topic(), record.partition(), record.offset());
    if (type != AcknowledgeType.RENEW) {
      unacknowledged.remove(k);
    }
    pending.put(k, type);
  }

  /** Sends the acknowledgements; throws if the broker refused any (those changed nothing). */
  public void commitSync() {
    flush();
  }

  /** Sends the acknowledgements in the background (on the heartbeat thread). */
  public CompletableFuture<Void> commitAsync() {
    Map<Key, AcknowledgeType> batch = takeBatch();
    return CompletableFuture.runAsync(() -> send(batch), heartbeats);
  }

  private void flush() {
    send(takeBatch());
  }

  private Map<Key, AcknowledgeType> takeBatch() {
    if (config.implicitAcknowledgement()) {
      unacknowledged.keySet().forEach(k -> pending.putIfAbsent(k, AcknowledgeType.ACCEPT));
      unacknowledged.clear();
    }
    Map<Key, AcknowledgeType> batch = new LinkedHashMap<>(pending);
    pending.clear();
    return batch;
  }

  private void send(Map<Key, AcknowledgeType> batch) {
    if (batch.isEmpty()) {
      return;
    }
    ShareAcknowledgeRequest.Builder req =
        ShareAcknowledgeRequest.newBuilder().setGroupId(config.groupId()).setMemberId(memberId);
    batch.forEach(
        (k, t) ->
            req.addAcknowledgements(
                ShareAcknowledgement.newBuilder()
                    .setTopic(k.topic())
                    .setPartition(k.partition())
                    .setOffset(k.offset())
                    .setType(io.keel.proto.AcknowledgeType.valueOf(t.name()))));
    ShareAcknowledgeRequest built = req.build();
    ShareAcknowledgeResponse r =
        call(s -> s.shareAcknowledge(built), ShareAcknowledgeResponse::getError);
    Map<TopicPartition, Map<Long, ShareAcknowledgementException.Failure>> failures =
        new HashMap<>();
    if (r.getShareError().getCode() == ShareErrorCode.SHARE_UNKNOWN_MEMBER) {
      // The session expired: the coordinator released what this member held, so none of these
      // acknowledgements counted. Rejoin, and say so per record (they will be delivered again).
      String why = r.getShareError().getMessage();
      log.info(
          "share group {}: member {} unknown at commit; rejoining", config.groupId(), memberId);
      unacknowledged.clear();
      heartbeat(0);
      batch
          .keySet()
          .forEach(
              k ->
                  failures
                      .computeIfAbsent(
                          new TopicPartition(k.topic(), k.partition()), x -> new HashMap<>())
                      .put(
                          k.offset(),
                          new ShareAcknowledgementException.Failure(
                              ShareErrorCode.SHARE_UNKNOWN_MEMBER.name(), why)));
      throw new ShareAcknowledgementException(failures);
    }
    checkShare(r.getShareError());
    for (ShareAcknowledgeResult res : r.getResultsList()) {
      if (res.getError().getCode() != ShareErrorCode.SHARE_NONE) {
        failures
            .computeIfAbsent(
                new TopicPartition(res.getTopic(), res.getPartition()), x -> new HashMap<>())
            .put(
                res.getOffset(),
                new ShareAcknowledgementException.Failure(
                    res.getError().getCode().name(), res.getError().getMessage()));
      }
    }
    if (!failures.isEmpty()) {
      throw new ShareAcknowledgementException(failures);
    }
  }

  private static void checkShare(ShareError e) {
    if (e.getCode() != ShareErrorCode.SHARE_NONE) {
      throw new KeelException(e.getCode() + ": " + e.getMessage());
    }
  }

  /** Calls the coordinator, finding it again and retrying while it moves or is unreachable. */
  private <T> T call(Function<KeelShareBlockingStub, T> rpcCall, Function<T, ErrorDetail> error) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs());
    return shares.call(rpcCall, error, deadline);
  }

  /** Sends outstanding acknowledgements (implicit mode: accepts), then leaves the group. */
  @Override
  public void close() {
    heartbeats.shutdownNow();
    try {
      if (!topics.isEmpty()) {
        try {
          flush();
        } finally {
          heartbeat(-1);
        }
      }
    } catch (RuntimeException e) {
      log.debug("share consumer close: {}", e.toString());
    } finally {
      clientChannels.close();
    }
  }

  /** Test hook: stops without acknowledging or leaving, like a crashed worker. */
  void abandon() {
    heartbeats.shutdownNow();
    clientChannels.close();
  }
}
