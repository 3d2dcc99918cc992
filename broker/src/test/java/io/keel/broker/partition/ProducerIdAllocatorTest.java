package io.keel.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerIdAllocatorTest {
  @TempDir Path dir;

  @Test
  void idsNeverRepeatAcrossRestartsAndCarryTheNodeId() {
    Path file = dir.resolve("producer-ids");
    Set<Long> seen = new HashSet<>();
    long last = -1;
    for (int restart = 0; restart < 3; restart++) {
      ProducerIdAllocator ids = new ProducerIdAllocator(file, 7, 4);
      for (int i = 0; i < 6; i++) {
        long id = ids.nextProducerId();
        assertEquals(7, id >>> ProducerIdAllocator.COUNTER_BITS);
        assertTrue(seen.add(id), "id " + id + " handed out twice");
        assertTrue(id > last, "ids must grow: " + id + " after " + last);
        last = id;
      }
    }
  }

  @Test
  void differentNodesNeverCollide() {
    long a = new ProducerIdAllocator(dir.resolve("a"), 1, 10).nextProducerId();
    long b = new ProducerIdAllocator(dir.resolve("b"), 2, 10).nextProducerId();
    assertTrue(a != b);
  }

  @Test
  void nodeIdMustFitTheIdLayout() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ProducerIdAllocator(dir.resolve("x"), 1 << 15, 10));
  }
}
