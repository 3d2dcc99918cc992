package io.keel.chaos.history;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;

/**
 * What an operation does. The invocation carries the request; the completion carries the request
 * plus whatever the system answered (fields documented as "null on invoke").
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "f")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Op.Send.class, name = "send"),
  @JsonSubTypes.Type(value = Op.Poll.class, name = "poll"),
  @JsonSubTypes.Type(value = Op.Commit.class, name = "commit"),
  @JsonSubTypes.Type(value = Op.ReadOffsets.class, name = "read-offsets"),
  @JsonSubTypes.Type(value = Op.FinalRead.class, name = "final-read"),
  @JsonSubTypes.Type(value = Op.Assign.class, name = "assign"),
  @JsonSubTypes.Type(value = Op.Fault.class, name = "fault"),
  @JsonSubTypes.Type(value = Op.TaskQueueSetup.class, name = "task-queue-setup"),
  @JsonSubTypes.Type(value = Op.Enqueue.class, name = "enqueue"),
  @JsonSubTypes.Type(value = Op.Acquire.class, name = "acquire"),
  @JsonSubTypes.Type(value = Op.Acknowledge.class, name = "acknowledge"),
  @JsonSubTypes.Type(value = Op.DeadLetters.class, name = "dead-letters"),
  @JsonSubTypes.Type(value = Op.WorkerCrash.class, name = "worker-crash")
})
public sealed interface Op {

  /** Produce one unique value to a partition; offset is null on invoke and on fail/info. */
  record Send(int partition, long value, Long offset) implements Op {}

  /** One consumer poll; records are empty on invoke. */
  record Poll(List<Rec> records) implements Op {
    public Poll {
      records = List.copyOf(records);
    }
  }

  /** Commit group offsets (next offset to consume, Kafka convention) per partition. */
  record Commit(String group, Map<Integer, Long> offsets) implements Op {
    public Commit {
      offsets = Map.copyOf(offsets);
    }
  }

  /** Read a group's committed offsets; offsets are empty on invoke, absent when none committed. */
  record ReadOffsets(String group, Map<Integer, Long> offsets) implements Op {
    public ReadOffsets {
      offsets = Map.copyOf(offsets);
    }
  }

  /** After healing, one consumer reads every partition from the start to its end. */
  record FinalRead(List<Rec> records) implements Op {
    public FinalRead {
      records = List.copyOf(records);
    }
  }

  /** A group member's partitions after a rebalance: its ownership period starts here. */
  record Assign(List<Integer> partitions) implements Op {
    public Assign {
      partitions = List.copyOf(partitions);
    }
  }

  /** A nemesis action: a fault starting (action START) or healed (action HEAL). */
  record Fault(String name, FaultAction action, String detail) implements Op {}

  /** Nemesis action. */
  enum FaultAction {
    START,
    HEAL
  }

  /**
   * The task queue's settings, recorded once at set-up so the history alone says what the checker
   * holds dead letters to.
   */
  record TaskQueueSetup(String topic, String group, int deliveryLimit, long lockMs) implements Op {}

  /**
   * Produce one unique task; {@code deliverAtMs} (epoch ms, null: at once) is the {@code
   * keel.deliver.at} header it carries; offset is null on invoke and on fail/info.
   */
  record Enqueue(int partition, long task, Long deliverAtMs, Long offset) implements Op {}

  /** One share-consumer poll; deliveries are empty on invoke. */
  record Acquire(List<Delivery> deliveries) implements Op {
    public Acquire {
      deliveries = List.copyOf(deliveries);
    }
  }

  /**
   * One commitSync of acknowledgements. On an ok completion each ack's {@code refused} names the
   * broker's refusal (else null): a refusal may follow a retried request whose first attempt did
   * apply, so it does not prove the acknowledgement had no effect.
   */
  record Acknowledge(List<TaskAck> acks) implements Op {
    public Acknowledge {
      acks = List.copyOf(acks);
    }
  }

  /**
   * Records read from the dead-letter topic; {@code complete} when this is the final read of the
   * whole topic, after the share group had nothing left in flight.
   */
  record DeadLetters(List<DeadLetter> letters, boolean complete) implements Op {
    public DeadLetters {
      letters = List.copyOf(letters);
    }
  }

  /**
   * A worker gave up what it held: "close" (left the group) or "no-ack" (let the locks run out).
   */
  record WorkerCrash(String how, int held) implements Op {}
}
