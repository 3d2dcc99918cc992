package io.keel.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryCacheTest {
  private static List<Entry> entries(long term, long first, long last) {
    List<Entry> out = new ArrayList<>();
    for (long i = first; i <= last; i++) {
      out.add(new Entry(term, i, EntryType.NORMAL, new byte[76])); // 100 bytes each
    }
    return out;
  }

  @Test
  void holdsAContiguousRunAndDropsTheOldestBeyondItsCapacity() {
    EntryCache cache = new EntryCache(350);
    cache.append(entries(1, 1, 3));
    cache.append(entries(1, 4, 5));
    assertEquals(3, cache.firstIndex(), "5 entries of 100 bytes, 350 allowed: the oldest two go");
    assertEquals(6, cache.endIndex());
    assertEquals(300, cache.bytes());
    assertEquals(4, cache.get(4).index());
    assertFalse(cache.holds(2));
    assertThrows(IllegalStateException.class, () -> cache.get(2));
  }

  @Test
  void anOverwritingAppendReplacesTheSuffix() {
    EntryCache cache = new EntryCache(1 << 20);
    cache.append(entries(1, 1, 5));
    cache.append(entries(2, 3, 4));
    assertEquals(5, cache.endIndex());
    assertEquals(1, cache.get(2).term());
    assertEquals(2, cache.get(3).term());
    assertEquals(2, cache.get(4).term());
    assertEquals(400, cache.bytes());
  }

  @Test
  void anAppendThatDoesNotFollowStartsOver() {
    EntryCache cache = new EntryCache(1 << 20);
    cache.append(entries(1, 5, 6));
    cache.append(entries(2, 9, 9));
    assertEquals(9, cache.firstIndex());
    assertEquals(10, cache.endIndex());
    cache.append(entries(3, 2, 2));
    assertEquals(2, cache.firstIndex());
    assertEquals(100, cache.bytes());
  }

  @Test
  void releaseDropsWhatNothingNeedsAnyMore() {
    EntryCache cache = new EntryCache(1 << 20);
    cache.append(entries(1, 1, 200));
    cache.releaseThrough(150);
    assertEquals(151, cache.firstIndex());
    assertEquals(5_000, cache.bytes());
    assertEquals(151, cache.get(151).index());
    cache.truncateFrom(180);
    assertEquals(180, cache.endIndex());
    cache.releaseThrough(500);
    assertTrue(cache.isEmpty());
    assertEquals(0, cache.bytes());
  }

  @Test
  void zeroCapacityHoldsNothing() {
    EntryCache cache = new EntryCache(0);
    cache.append(entries(1, 1, 3));
    assertTrue(cache.isEmpty());
    assertThrows(IllegalArgumentException.class, () -> new EntryCache(-1));
  }
}
