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

  public static Rec rec(int partition, long offset, long value) {
    return new Rec(partition, offset, value);
  }

  public History history() {
    return recorder.snapshot();
  }
}
