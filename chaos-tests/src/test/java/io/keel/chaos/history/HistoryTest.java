package io.keel.chaos.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {

  @Test
  void jsonLinesRoundTripEveryOpType(@TempDir Path dir) {
    TestHistory h = new TestHistory();
    h.send(1, 0, 7, 3)
        .sendOutcome(1, 1, 8, Phase.INFO)
        .poll(2, TestHistory.rec(0, 3, 7))
        .assign(2, 0, 1)
        .commit(2, "g", 0, 4)
        .readOffsets(3, "g", Map.of(0, 4L))
        .finalRead(TestHistory.rec(0, 3, 7))
        .fault("kill", Op.FaultAction.START);
    Path file = dir.resolve("history.jsonl");
    h.history().writeJsonLines(file);

    History back = History.readJsonLines(file);

    assertEquals(h.history(), back);
  }

  @Test
  void fileRecorderStreamsEveryEvent(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("h.jsonl");
    try (HistoryRecorder r = HistoryRecorder.toFile(file, RunClock.startingNow())) {
      r.invoke(1, new Op.Send(0, 1, null));
      r.ok(1, new Op.Send(0, 1, 0L));
      r.flush();
      assertEquals(2, History.readJsonLines(file).events().size());
    }
  }

  @Test
  void pairsInvocationsWithCompletionsPerProcess() {
    HistoryRecorder r = new TestHistory().recorder();
    r.invoke(1, new Op.Send(0, 1, null));
    r.invoke(2, new Op.Send(0, 2, null));
    r.ok(2, new Op.Send(0, 2, 0L));
    r.info(1, new Op.Send(0, 1, null), "timeout");
    r.invoke(3, new Op.Poll(List.of()));

    List<Operation> ops = r.snapshot().operations();

    assertEquals(3, ops.size());
    assertEquals(Phase.INFO, ops.get(0).outcome());
    assertEquals(Phase.OK, ops.get(1).outcome());
    assertEquals(new Op.Send(0, 2, 0L), ops.get(1).op());
    assertNull(ops.get(2).completion());
    assertEquals(Phase.INFO, ops.get(2).outcome());
  }

  @Test
  void rejectsOverlappingOpsOfOneProcessAndStrayCompletions() {
    HistoryRecorder r = new TestHistory().recorder();
    r.invoke(1, new Op.Poll(List.of()));
    assertThrows(IllegalStateException.class, () -> r.invoke(1, new Op.Poll(List.of())));
    assertThrows(IllegalStateException.class, () -> r.ok(2, new Op.Poll(List.of())));
  }

  @Test
  void concurrentRecordingKeepsDenseIndicesAndCounts() throws Exception {
    HistoryRecorder r = HistoryRecorder.inMemory(RunClock.startingNow());
    int threads = 8;
    int perThread = 500;
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (int t = 0; t < threads; t++) {
        int process = t;
        pool.submit(
            () -> {
              for (int i = 0; i < perThread; i++) {
                r.invoke(process, new Op.Send(0, i, null));
                r.ok(process, new Op.Send(0, i, (long) i));
              }
            });
      }
    }
    List<Event> events = r.snapshot().events();
    assertEquals(threads * perThread * 2, events.size());
    for (int i = 0; i < events.size(); i++) {
      assertEquals(i, events.get(i).index());
    }
    assertEquals(threads * perThread, r.completed(Phase.OK));
  }
}
