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
  @JsonSubTypes.Type(value = Op.Fault.class, name = "fault")
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
}
