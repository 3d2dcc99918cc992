package io.keel.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.share.ShareHeaders;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.FetchPartition;
import io.keel.proto.FetchPartitionResponse;
import io.keel.proto.FetchRequest;
import io.keel.proto.ListOffsetsPartition;
import io.keel.proto.ListOffsetsRequest;
import io.keel.proto.OffsetSpec;
import io.keel.proto.ProducePartitionData;
import io.keel.proto.ProducePartitionResponse;
import io.keel.proto.ProduceRequest;
import io.keel.proto.records.CompressionType;
import io.keel.proto.records.Header;
import io.keel.proto.records.KeyHash;
import io.keel.proto.records.Record;
import io.keel.proto.records.RecordBatch;
import io.keel.proto.records.RecordBatchBuilder;
import io.keel.proto.records.RecordBatchLimits;
import io.keel.proto.records.RecordBatchTooLargeException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Produce to a topic and fetch from a partition, each sent to the partition's leader. A produce is
 * validated whole before anything is sent, so a bad record stores nothing.
 */
final class PartitionApi {
  static final int MAX_RECORDS_PER_REQUEST = 10_000;
  static final int MAX_FETCH_WAIT_MS = 30_000;
  static final int MAX_FETCH_RECORDS = 10_000;

  /** Slack on forwarded calls beyond the wait the request itself asked for. */
  static final Duration FORWARD_SLACK = Duration.ofSeconds(5);

  /** Batches read back come from the leader's own log, which checked them at append. */
  private static final RecordBatchLimits READ_LIMITS =
      RecordBatchLimits.withMaxBatchBytes(Integer.MAX_VALUE);

  private static final Set<String> PRODUCE_FIELDS =
      Set.of("records", "acks", "format", "timeout_ms");
  private static final Set<String> RECORD_FIELDS =
      Set.of("key", "value", "headers", "partition", "timestamp_ms", "deliver_at_ms", "delay_ms");

  /** The longest {@code delay_ms} of a produced record. */
  static final long MAX_DELAY_MS = Duration.ofDays(365).toMillis();

  private static final Set<String> FETCH_PARAMS =
      Set.of("offset", "max_wait_ms", "max_bytes", "max_records", "format");

  /** One validated record of a produce request, with its partition chosen. */
  private record Item(
      int partition, long timestamp, byte[] key, byte[] value, List<Header> headers) {}

  private final NodeCalls calls;
  private final Leaders leaders;
  private final InstantSource clock;
  private final RecordBatchLimits limits;
  private final AtomicInteger keyless = new AtomicInteger();

  PartitionApi(NodeCalls calls, Leaders leaders, InstantSource clock, int maxBatchBytes) {
    this.calls = calls;
    this.leaders = leaders;
    this.clock = clock;
    this.limits = RecordBatchLimits.withMaxBatchBytes(maxBatchBytes);
  }

  // ------------------------------------------------------------------ produce

  CompletableFuture<HttpReply> produce(String topicName, byte[] body) {
    JsonInput in = JsonInput.parse(body).allowOnly(PRODUCE_FIELDS);
    int acks = acks(in);
    int timeoutMs = in.integer("timeout_ms", 30_000, 1, 300_000);
    ValueFormat format = ValueFormat.parse(in.string("format", "text"), "format");
    List<JsonInput> records = in.objects("records");
    if (records.isEmpty() || records.size() > MAX_RECORDS_PER_REQUEST) {
      throw HttpApiException.badField(
          "records",
          "expected 1 to " + MAX_RECORDS_PER_REQUEST + " records, got " + records.size());
    }
    TopicInfo topic = leaders.topic(topicName);
    int keylessPartition = Math.floorMod(keyless.getAndIncrement(), topic.partitions());
    List<Item> items = new ArrayList<>();
    for (JsonInput r : records) {
      items.add(item(r.allowOnly(RECORD_FIELDS), format, topic, keylessPartition));
    }
    Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      byPartition.computeIfAbsent(items.get(i).partition(), p -> new ArrayList<>()).add(i);
    }
    Map<Integer, CompletableFuture<ProducePartitionResponse>> results = new LinkedHashMap<>();
    Map<Integer, byte[]> batches = new LinkedHashMap<>();
    byPartition.forEach((p, indices) -> batches.put(p, batch(items, indices)));
    batches.forEach(
        (p, batch) -> results.put(p, producePartition(topic, p, batch, acks, timeoutMs)));
    return CompletableFuture.allOf(results.values().toArray(CompletableFuture[]::new))
        .thenApply(v -> produceReply(topic.name(), items, byPartition, results));
  }

  private static int acks(JsonInput in) {
    JsonNode v = in.raw("acks");
    if (v == null || (v.isTextual() && v.textValue().equals("all"))) {
      return -1;
    }
    if (v.isIntegralNumber() && (v.intValue() == -1 || v.intValue() == 0 || v.intValue() == 1)) {
      return v.intValue();
    }
    throw HttpApiException.badField("acks", "expected \"all\", -1, 0 or 1, got " + v);
  }

  private Item item(JsonInput r, ValueFormat format, TopicInfo topic, int keylessPartition) {
    byte[] key = format.encode(r.raw("key"), r.at("key"));
    byte[] value = format.encode(r.raw("value"), r.at("value"));
    List<Header> headers = new ArrayList<>();
    Map<String, String> given = r.stringMap("headers");
    given.forEach((k, v) -> headers.add(new Header(k, v.getBytes(StandardCharsets.UTF_8))));
    deliverAt(r, given).ifPresent(at -> headers.add(new Header(ShareHeaders.DELIVER_AT, at)));
    long timestamp = r.integer("timestamp_ms", 0, Long.MAX_VALUE).orElse(clock.millis());
    int partition;
    if (r.has("partition")) {
      partition = r.integer("partition", 0, 0, Integer.MAX_VALUE);
      if (partition >= topic.partitions()) {
        throw new HttpApiException(
            HttpResponseStatus.NOT_FOUND,
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            r.at("partition"),
            String.format(
                "%s: topic '%s' has %d partitions; partition %d does not exist",
                r.at("partition"), topic.name(), topic.partitions(), partition));
      }
    } else if (key != null) {
      partition = KeyHash.partitionOf(key, topic.partitions());
    } else {
      partition = keylessPartition;
    }
    return new Item(partition, timestamp, key, value, headers);
  }

  /**
   * The {@code keel.deliver.at} header value for {@code deliver_at_ms} (epoch ms) or {@code
   * delay_ms} (from this node's clock, so a client's clock skew does not matter).
   */
  private Optional<byte[]> deliverAt(JsonInput r, Map<String, String> headers) {
    Optional<Long> at = r.integer("deliver_at_ms", 0, Long.MAX_VALUE);
    Optional<Long> delay = r.integer("delay_ms", 0, MAX_DELAY_MS);
    if (at.isPresent() && delay.isPresent()) {
      throw HttpApiException.badField(r.at("delay_ms"), "give deliver_at_ms or delay_ms, not both");
    }
    Optional<Long> due = delay.isPresent() ? Optional.of(clock.millis() + delay.get()) : at;
    if (due.isPresent() && headers.containsKey(ShareHeaders.DELIVER_AT)) {
      throw HttpApiException.badField(
          r.at("headers") + "." + ShareHeaders.DELIVER_AT,
          "set by deliver_at_ms or delay_ms too; give one of them");
    }
    return due.map(ms -> Long.toString(ms).getBytes(StandardCharsets.US_ASCII));
  }

  private byte[] batch(List<Item> items, List<Integer> indices) {
    RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE, limits);
    try {
      for (int i : indices) {
        Item it = items.get(i);
        builder.append(it.timestamp(), it.key(), it.value(), it.headers());
      }
      return builder.build();
    } catch (RecordBatchTooLargeException e) {
      throw new HttpApiException(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          ErrorCode.RECORD_TOO_LARGE,
          "records",
          "records: the batch for partition "
              + items.get(indices.get(0)).partition()
              + " is too large: "
              + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw HttpApiException.badField("records", e.getMessage());
    }
  }

  private CompletableFuture<ProducePartitionResponse> producePartition(
      TopicInfo topic, int partition, byte[] batch, int acks, int timeoutMs) {
    ProduceRequest request =
        ProduceRequest.newBuilder()
            .setAcks(acks)
            .setTimeoutMs(timeoutMs)
            .addPartitions(
                ProducePartitionData.newBuilder()
                    .setTopic(topic.name())
                    .setPartition(partition)
                    .setRecordBatch(ByteString.copyFrom(batch)))
            .build();
    Duration timeout = Duration.ofMillis(timeoutMs).plus(FORWARD_SLACK);
    return leaders.send(
        topic,
        partition,
        node -> calls.call(node, Rpcs.PRODUCE, request, timeout).thenApply(r -> r.getPartitions(0)),
        ProducePartitionResponse::getError);
  }

  private static HttpReply produceReply(
      String topic,
      List<Item> items,
      Map<Integer, List<Integer>> byPartition,
      Map<Integer, CompletableFuture<ProducePartitionResponse>> results) {
    ObjectNode root = JsonInput.MAPPER.createObjectNode().put("topic", topic);
    ArrayNode out = root.putArray("records");
    ErrorDetail firstError = null;
    long[] offsets = new long[items.size()];
    for (Map.Entry<Integer, List<Integer>> e : byPartition.entrySet()) {
      ProducePartitionResponse r = results.get(e.getKey()).join();
      for (int j = 0; j < e.getValue().size(); j++) {
        offsets[e.getValue().get(j)] = r.getBaseOffset() < 0 ? -1 : r.getBaseOffset() + j;
      }
      if (r.getError().getCode() != ErrorCode.NONE && firstError == null) {
        firstError = r.getError();
      }
    }
    for (int i = 0; i < items.size(); i++) {
      int partition = items.get(i).partition();
      ObjectNode rec = out.addObject().put("partition", partition);
      ErrorDetail error = results.get(partition).join().getError();
      if (error.getCode() != ErrorCode.NONE) {
        rec.putObject("error")
            .put("code", error.getCode().name())
            .put("message", error.getMessage());
      } else if (offsets[i] >= 0) {
        rec.put("offset", offsets[i]);
      } else {
        rec.putNull("offset"); // acks 0: not known
      }
    }
    if (firstError == null) {
      return HttpReply.ok(root);
    }
    HttpApiException e = HttpApiException.of(firstError);
    root.putObject("error").put("code", e.code()).put("message", e.getMessage());
    HttpReply reply = HttpReply.json(e.status(), root);
    return ErrorStatus.retriable(e.status())
        ? new HttpReply(e.status(), HttpReply.JSON, reply.body(), ErrorStatus.RETRY_AFTER_SECONDS)
        : reply;
  }

  // ------------------------------------------------------------------ fetch

  CompletableFuture<HttpReply> fetch(String topicName, String partitionText, HttpQuery query) {
    query.allowOnly(FETCH_PARAMS);
    TopicInfo topic = leaders.topic(topicName);
    int partition = partition(topic, partitionText);
    String offsetText =
        query
            .string("offset")
            .orElseThrow(
                () ->
                    HttpApiException.badField("offset", "required: a number, earliest or latest"));
    int maxWaitMs = query.integer("max_wait_ms", 0, 0, MAX_FETCH_WAIT_MS);
    int maxBytes = query.integer("max_bytes", 1 << 20, 1, limits.maxBatchBytes() * 16);
    int maxRecords = query.integer("max_records", 500, 1, MAX_FETCH_RECORDS);
    ValueFormat format = ValueFormat.parse(query.string("format").orElse("text"), "format");
    return resolveOffset(topic, partition, offsetText)
        .thenCompose(offset -> fetchAt(topic, partition, offset, maxWaitMs, maxBytes))
        .thenApply(
            fetched -> {
              ObjectNode root =
                  JsonInput.MAPPER
                      .createObjectNode()
                      .put("topic", topic.name())
                      .put("partition", partition);
              long next =
                  appendRecords(
                      root.putArray("records"),
                      fetched.response(),
                      fetched.offset(),
                      maxRecords,
                      format,
                      null);
              root.put("next_offset", next)
                  .put("high_watermark", fetched.response().getHighWatermark())
                  .put("log_start_offset", fetched.response().getLogStartOffset());
              return HttpReply.ok(root);
            });
  }

  static int partition(TopicInfo topic, String text) {
    int partition;
    try {
      partition = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw HttpApiException.badField("partition", "expected an integer, got \"" + text + "\"");
    }
    if (partition < 0 || partition >= topic.partitions()) {
      throw new HttpApiException(
          HttpResponseStatus.NOT_FOUND,
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          "partition",
          String.format(
              "topic '%s' has %d partitions; partition %d does not exist",
              topic.name(), topic.partitions(), partition));
    }
    return partition;
  }

  private CompletableFuture<Long> resolveOffset(TopicInfo topic, int partition, String text) {
    OffsetSpec.Kind kind =
        switch (text) {
          case "earliest" -> OffsetSpec.Kind.EARLIEST;
          case "latest" -> OffsetSpec.Kind.LATEST;
          default -> OffsetSpec.Kind.EXACT;
        };
    if (kind == OffsetSpec.Kind.EXACT) {
      try {
        long offset = Long.parseLong(text);
        if (offset < 0) {
          throw HttpApiException.badField("offset", "must be >= 0, was " + offset);
        }
        return CompletableFuture.completedFuture(offset);
      } catch (NumberFormatException e) {
        throw HttpApiException.badField(
            "offset", "expected a number, earliest or latest, got \"" + text + "\"");
      }
    }
    return listOffset(topic, partition, kind);
  }

  CompletableFuture<Long> listOffset(TopicInfo topic, int partition, OffsetSpec.Kind kind) {
    ListOffsetsRequest request =
        ListOffsetsRequest.newBuilder()
            .addPartitions(
                ListOffsetsPartition.newBuilder()
                    .setTopic(topic.name())
                    .setPartition(partition)
                    .setSpec(OffsetSpec.newBuilder().setKind(kind)))
            .build();
    return leaders
        .send(
            topic,
            partition,
            node ->
                calls
                    .call(node, Rpcs.LIST_OFFSETS, request, FORWARD_SLACK)
                    .thenApply(r -> r.getPartitions(0)),
            r -> r.getError())
        .thenApply(
            r -> {
              if (r.getError().getCode() != ErrorCode.NONE) {
                throw HttpApiException.of(r.getError());
              }
              return r.getOffset();
            });
  }

  record Fetched(long offset, FetchPartitionResponse response) {}

  /** One partition's fetch at its leader; a partition error fails the future. */
  CompletableFuture<Fetched> fetchAt(
      TopicInfo topic, int partition, long offset, int maxWaitMs, int maxBytes) {
    return fetchAt(topic, partition, offset, maxWaitMs, maxBytes, FetchRequest.newBuilder());
  }

  CompletableFuture<Fetched> fetchAt(
      TopicInfo topic,
      int partition,
      long offset,
      int maxWaitMs,
      int maxBytes,
      FetchRequest.Builder base) {
    FetchRequest request =
        base.setMaxWaitMs(maxWaitMs)
            .setMinBytes(1)
            .setMaxBytes(maxBytes)
            .addPartitions(
                FetchPartition.newBuilder()
                    .setTopic(topic.name())
                    .setPartition(partition)
                    .setFetchOffset(offset)
                    .setPartitionMaxBytes(maxBytes)
                    .setCurrentLeaderEpoch(-1))
            .build();
    Duration timeout = Duration.ofMillis(maxWaitMs).plus(FORWARD_SLACK);
    return leaders
        .send(
            topic,
            partition,
            node ->
                calls
                    .call(node, Rpcs.FETCH, request, timeout)
                    .thenApply(
                        r -> {
                          if (r.getError().getCode() != ErrorCode.NONE) {
                            throw HttpApiException.of(r.getError());
                          }
                          return r.getPartitions(0);
                        }),
            FetchPartitionResponse::getError)
        .thenApply(
            r -> {
              if (r.getError().getCode() != ErrorCode.NONE) {
                throw HttpApiException.of(r.getError());
              }
              return new Fetched(offset, r);
            });
  }

  /**
   * Appends the records at or after {@code from}, at most {@code max}, as JSON; returns the offset
   * after the last one appended ({@code from} if none). {@code topic} is written when not null.
   */
  static long appendRecords(
      ArrayNode out,
      FetchPartitionResponse response,
      long from,
      int max,
      ValueFormat format,
      String topic) {
    long next = from;
    for (ByteString bytes : response.getRecordBatchesList()) {
      for (Record r : RecordBatch.decode(bytes.toByteArray(), READ_LIMITS).records()) {
        if (r.offset() < next) {
          continue;
        }
        if (out.size() >= max) {
          return next;
        }
        ObjectNode rec = out.addObject();
        if (topic != null) {
          rec.put("topic", topic).put("partition", response.getPartition());
        }
        rec.put("offset", r.offset()).put("timestamp_ms", r.timestamp());
        String what = "record " + response.getPartition() + "@" + r.offset();
        rec.set("key", format.decode(r.key(), what + " key"));
        rec.set("value", format.decode(r.value(), what + " value"));
        ObjectNode headers = rec.putObject("headers");
        for (Header h : r.headers()) {
          headers.put(
              h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        next = r.offset() + 1;
      }
    }
    return next;
  }
}
