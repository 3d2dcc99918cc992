package io.keel.chaos.history;

import java.util.List;
import java.util.Map;

/**
 * Hand-written histories for tests. Each helper records a whole operation (invoke then complete)
 * one millisecond apart; {@link #at(long)} moves the clock to write concurrent operations.
 */
public final class TestHistory {
  private long nowMs;
  private final HistoryRecorder recorder =
      HistoryRecorder.inMemory(
          new RunClock() {
            @Override
            public long nanos() {
              return nowMs * 1_000_000L;
            }

            @Override
            public long wallMs() {
              return 1_700_000_000_000L + nowMs;
            }
          });

  public TestHistory at(long ms) {
    nowMs = ms;
    return this;
  }

  public HistoryRecorder recorder() {
    return recorder;
  }

  private TestHistory whole(int process, Op invoke, Op done, Phase outcome) {
    recorder.invoke(process, invoke);
    nowMs++;
    switch (outcome) {
      case OK -> recorder.ok(process, done);
      case FAIL -> recorder.fail(process, done, "test failure");
      case INFO -> recorder.info(process, done, "test timeout");
      case INVOKE -> throw new IllegalArgumentException("outcome must be a completion");
    }
    nowMs++;
    return this;
  }

  public TestHistory send(int process, int partition, long value, long offset) {
    return whole(
        process,
        new Op.Send(partition, value, null),
        new Op.Send(partition, value, offset),
        Phase.OK);
  }

  public TestHistory sendOutcome(int process, int partition, long value, Phase outcome) {
    Op.Send s = new Op.Send(partition, value, null);
    return whole(process, s, s, outcome);
  }

  public TestHistory poll(int process, Rec... records) {
    return whole(process, new Op.Poll(List.of()), new Op.Poll(List.of(records)), Phase.OK);
  }

  public TestHistory assign(int process, Integer... partitions) {
    Op.Assign a = new Op.Assign(List.of(partitions));
    return whole(process, a, a, Phase.OK);
  }

  public TestHistory finalRead(Rec... records) {
    return whole(99, new Op.FinalRead(List.of()), new Op.FinalRead(List.of(records)), Phase.OK);
  }

  public TestHistory commit(int process, String group, int partition, long offset) {
    Op.Commit c = new Op.Commit(group, Map.of(partition, offset));
    return whole(process, c, c, Phase.OK);
  }

  public TestHistory readOffsets(int process, String group, Map<Integer, Long> offsets) {
    return whole(
        process, new Op.ReadOffsets(group, Map.of()), new Op.ReadOffsets(group, offsets), Phase.OK);
  }

  public TestHistory fault(String name, Op.FaultAction action) {
    Op.Fault f = new Op.Fault(name, action, "n1");
    return whole(Event.NEMESIS, f, f, Phase.OK);
  }

  /** The wall clock (epoch ms) this history records at test time {@code ms}. */
  public static long wallMs(long ms) {
    return 1_700_000_000_000L + ms;
  }

  public long nowMs() {
    return nowMs;
  }

  public TestHistory taskQueueSetup(String topic, String group, int deliveryLimit) {
    Op.TaskQueueSetup s = new Op.TaskQueueSetup(topic, group, deliveryLimit, 1_000);
    return whole(98, s, s, Phase.OK);
  }

  public TestHistory enqueue(int process, int partition, long task, Long deliverAtMs, long offset) {
    return whole(
        process,
        new Op.Enqueue(partition, task, deliverAtMs, null),
        new Op.Enqueue(partition, task, deliverAtMs, offset),
        Phase.OK);
  }

  public TestHistory enqueueOutcome(int process, int partition, long task, Phase outcome) {
    Op.Enqueue e = new Op.Enqueue(partition, task, null, null);
    return whole(process, e, e, outcome);
  }

  public TestHistory acquire(int process, Delivery... deliveries) {
    return whole(process, new Op.Acquire(List.of()), new Op.Acquire(List.of(deliveries)), Phase.OK);
  }

  /** The invocation carries the acks without refusals; an ok completion carries them as given. */
  public TestHistory acknowledge(int process, Phase outcome, TaskAck... acks) {
    List<TaskAck> sent = java.util.Arrays.stream(acks).map(a -> a.refusedWith(null)).toList();
    Op.Acknowledge invoke = new Op.Acknowledge(sent);
    return whole(
        process, invoke, outcome == Phase.OK ? new Op.Acknowledge(List.of(acks)) : invoke, outcome);
  }

  public TestHistory deadLetters(int process, boolean complete, DeadLetter... letters) {
    return whole(
        process,
        new Op.DeadLetters(List.of(), complete),
        new Op.DeadLetters(List.of(letters), complete),
        Phase.OK);
  }

  public static Rec rec(int partition, long offset, long value) {
    return new Rec(partition, offset, value);
  }

  public History history() {
    return recorder.snapshot();
  }
}
