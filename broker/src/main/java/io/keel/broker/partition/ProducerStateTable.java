package io.keel.broker.partition;

import io.keel.raft.Checks;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Committed idempotent-producer state of one partition: per producer id its epoch and its last
 * {@link #BATCHES_KEPT} batches. Every replica rebuilds the same table by applying the same
 * committed batches in the same order, so a new leader can answer retries at once.
 *
 * <p>At most {@code maxProducerIds} producers are kept; beyond that the producer whose last batch
 * has the oldest timestamp (then the lowest id) is forgotten. The rule only reads applied state, so
 * every replica forgets the same producer.
 */
public final class ProducerStateTable {
  public static final int BATCHES_KEPT = 5;

  /** One committed batch of a producer. */
  public record BatchMetadata(int firstSeq, int lastSeq, long baseOffset, long timestampMs) {}

  /** A producer's epoch and its most recent batches, oldest first. */
  public record ProducerState(short epoch, List<BatchMetadata> batches) {
    public ProducerState {
      batches = List.copyOf(batches);
      Checks.arg(!batches.isEmpty(), "producer state without batches");
    }

    public BatchMetadata last() {
      return batches.getLast();
    }
  }

  private static final int FORMAT_VERSION = 1;

  private final int maxProducerIds;
  private final Map<Long, ProducerState> producers = new HashMap<>();

  public ProducerStateTable(int maxProducerIds) {
    Checks.arg(maxProducerIds > 0, "maxProducerIds must be > 0, was %s", maxProducerIds);
    this.maxProducerIds = maxProducerIds;
  }

  public Optional<ProducerState> get(long producerId) {
    return Optional.ofNullable(producers.get(producerId));
  }

  public int size() {
    return producers.size();
  }

  /** Records a committed batch. A newer epoch replaces the producer's history. */
  public void record(ProducerBatch batch, long baseOffset, long timestampMs) {
    Checks.arg(batch.idempotent(), "batch without producer id recorded: %s", batch);
    BatchMetadata meta =
        new BatchMetadata(batch.firstSeq(), batch.lastSeq(), baseOffset, timestampMs);
    ProducerState old = producers.get(batch.producerId());
    ArrayDeque<BatchMetadata> batches = new ArrayDeque<>();
    if (old != null && old.epoch() == batch.epoch()) {
      batches.addAll(old.batches());
    }
    batches.addLast(meta);
    while (batches.size() > BATCHES_KEPT) {
      batches.removeFirst();
    }
    producers.put(batch.producerId(), new ProducerState(batch.epoch(), new ArrayList<>(batches)));
    maybeEvict();
  }

  private void maybeEvict() {
    while (producers.size() > maxProducerIds) {
      long oldest =
          producers.entrySet().stream()
              .min(
                  Comparator.comparingLong(
                          (Map.Entry<Long, ProducerState> e) -> e.getValue().last().timestampMs())
                      .thenComparingLong(Map.Entry::getKey))
              .orElseThrow()
              .getKey();
      producers.remove(oldest);
    }
  }

  /** Serialized size in bytes of {@link #writeTo}. */
  public int encodedBytes() {
    int bytes = 8;
    for (ProducerState s : producers.values()) {
      bytes += 8 + 2 + 4 + s.batches().size() * 24;
    }
    return bytes;
  }

  /** Writes the table in a versioned binary format (producer ids in ascending order). */
  public void writeTo(ByteBuffer out) {
    out.putInt(FORMAT_VERSION);
    out.putInt(producers.size());
    producers.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              out.putLong(e.getKey());
              out.putShort(e.getValue().epoch());
              out.putInt(e.getValue().batches().size());
              for (BatchMetadata b : e.getValue().batches()) {
                out.putInt(b.firstSeq()).putInt(b.lastSeq());
                out.putLong(b.baseOffset()).putLong(b.timestampMs());
              }
            });
  }

  /** Replaces the table with one read by {@link #writeTo}. */
  public void readFrom(ByteBuffer in) {
    int version = in.getInt();
    Checks.state(
        version == FORMAT_VERSION,
        "producer state format %s, expected %s",
        version,
        FORMAT_VERSION);
    int count = in.getInt();
    Checks.state(count >= 0, "producer count %s < 0", count);
    producers.clear();
    for (int i = 0; i < count; i++) {
      long producerId = in.getLong();
      short epoch = in.getShort();
      int batchCount = in.getInt();
      Checks.state(
          batchCount > 0 && batchCount <= BATCHES_KEPT,
          "producer %s has %s batches in snapshot, expected 1..%s",
          producerId,
          batchCount,
          BATCHES_KEPT);
      List<BatchMetadata> batches = new ArrayList<>(batchCount);
      for (int b = 0; b < batchCount; b++) {
        batches.add(new BatchMetadata(in.getInt(), in.getInt(), in.getLong(), in.getLong()));
      }
      producers.put(producerId, new ProducerState(epoch, batches));
    }
  }
}
