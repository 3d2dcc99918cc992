package io.keel.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadIndexQueueTest {

  @Test
  void releasesReadsUpToTheConfirmedContextInOrder() {
    ReadIndexQueue q = new ReadIndexQueue();
    long c1 = q.add(100, 5);
    long c2 = q.add(101, 7);
    assertEquals(2, q.size());
    List<ReadState> out = new ArrayList<>();
    q.release(c1, out);
    assertEquals(List.of(new ReadState(100, 5)), out);
    q.release(c2, out);
    assertEquals(List.of(new ReadState(100, 5), new ReadState(101, 7)), out);
    assertEquals(0, q.size());
  }

  @Test
  void aLaterRoundConfirmsEarlierReads() {
    ReadIndexQueue q = new ReadIndexQueue();
    q.add(100, 5);
    long round = q.nextRound();
    List<ReadState> out = new ArrayList<>();
    q.release(round, out);
    assertEquals(List.of(new ReadState(100, 5)), out);
  }

  @Test
  void contextsKeepIncreasingAcrossClears() {
    ReadIndexQueue q = new ReadIndexQueue();
    long before = q.add(1, 1);
    q.awaitTermCommit(2);
    q.clear();
    assertNull(q.pollAwaiting());
    List<ReadState> out = new ArrayList<>();
    q.release(Long.MAX_VALUE, out);
    assertEquals(List.of(), out);
    long after = q.add(3, 1);
    assertEquals(before + 1, after);
  }
}
