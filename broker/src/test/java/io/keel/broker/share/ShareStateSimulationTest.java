package io.keel.broker.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.keel.broker.share.ShareRecord.Acknowledged;
import io.keel.broker.share.ShareRecord.Acquired;
import io.keel.broker.share.ShareRecord.DeadLettered;
import io.keel.broker.share.ShareRecord.Delay;
import io.keel.broker.share.ShareRecord.LocksExpired;
import io.keel.broker.share.ShareRecord.MemberLeft;
import io.keel.broker.share.ShareRecord.WindowFilled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded random operation sequences against one share partition, checking after every step that
 * delivery counts never decrease, an accepted record is never acquired again, every offset read is
 * either in the window, accepted or dead-lettered (nothing is lost), dead-lettered records had
 * exactly the limit of deliveries or were rejected, and nothing is acquired before its deliver-at
 * time. Every run also replays its records through the codec and from a mid-run snapshot and must
 * reach the same state. Replay one seed: {@code -Dshare.seed=N}.
 */
class ShareStateSimulationTest {
  private static final String G = "g";
  private static final String T = "t";
  private static final int LIMIT = 3;
  private static final List<String> MEMBERS = List.of("m1", "m2", "m3", "m4");

  @Test
  void randomOperationsKeepTheInvariants() {
    String fixed = System.getProperty("share.seed");
    if (fixed != null) {
      run(Long.parseLong(fixed));
      return;
    }
    long base = new Random().nextLong();
    for (int i = 0; i < 200; i++) {
      run(base + i);
    }
  }

  private void run(long seed) {
    try {
      simulate(seed);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          "seed "
              + seed
              + " failed; replay: ./mvnw -o -pl broker test -Dtest=ShareStateSimulationTest"
              + " -Dshare.seed="
              + seed,
          e);
    }
  }

  private void simulate(long seed) {
    Random random = new Random(seed);
    ShareState state = new ShareState();
    List<ShareRecord> log = new ArrayList<>();
    Map<Long, Integer> lastCount = new HashMap<>();
    Map<Long, Long> deliverAt = new HashMap<>();
    Set<Long> accepted = new HashSet<>();
    Set<Long> rejected = new HashSet<>();
    Set<Long> deadLettered = new HashSet<>();
    long now = 1_000;
    long end = 0;
    List<ShareRecord> snapshot = null;
    int snapshotAt = 0;
    int steps = 300 + random.nextInt(300);
    for (int step = 0; step < steps; step++) {
      now += random.nextInt(40);
      SharePartitionState p = state.partition(G, T, 0).orElse(null);
      ShareRecord op;
      int kind = random.nextInt(10);
      String member = MEMBERS.get(random.nextInt(MEMBERS.size()));
      if (p == null || kind == 0) {
        int n = 1 + random.nextInt(5);
        List<Delay> delayed = new ArrayList<>();
        for (long o = end; o < end + n; o++) {
          if (random.nextInt(4) == 0) {
            long at = now + random.nextInt(300);
            delayed.add(new Delay(o, at));
            deliverAt.put(o, at);
          }
        }
        op = new WindowFilled(G, T, 0, end, end + n, delayed, now);
        end += n;
      } else if (kind <= 3) {
        List<Long> offsets = new ArrayList<>(p.acquirable(now, 1 + random.nextInt(4)));
        if (random.nextInt(5) == 0) {
          offsets.add((long) random.nextInt((int) end + 2)); // maybe not acquirable: ignored
        }
        op = new Acquired(G, T, 0, member, offsets, now, now + 50 + random.nextInt(100), LIMIT);
      } else if (kind <= 7) {
        long offset = pickOffset(random, p, end);
        AckType type = AckType.values()[random.nextInt(AckType.values().length)];
        if (random.nextBoolean()
            && p.record(offset) != null
            && !p.record(offset).memberId().isEmpty()) {
          member = p.record(offset).memberId(); // mostly the holder
        }
        AckError expected = p.check(member, offset, now);
        op = new Acknowledged(G, T, 0, member, offset, type, now, now + 100);
        if (expected == AckError.NONE && type == AckType.ACCEPT) {
          accepted.add(offset);
        } else if (expected == AckError.NONE && type == AckType.REJECT) {
          rejected.add(offset);
        }
      } else if (kind == 8) {
        op = random.nextBoolean() ? new LocksExpired(G, T, 0, now) : new MemberLeft(G, member);
      } else {
        List<Long> archiving = new ArrayList<>(p.archivingOffsets());
        long offset =
            archiving.isEmpty()
                ? random.nextInt((int) end + 1)
                : archiving.get(random.nextInt(archiving.size()));
        if (p.stateOf(offset) == RecordState.ARCHIVING) {
          InFlightRecord r = p.record(offset);
          assertTrue(
              r.reason().equals("rejected") || r.deliveryCount() == LIMIT,
              "dead-lettered with " + r.deliveryCount() + " deliveries: " + r);
          deadLettered.add(offset);
        }
        op = new DeadLettered(G, T, 0, offset);
      }
      Map<Long, RecordState> before = states(state, end);
      state.apply(op);
      log.add(op);
      check(state, op, before, end, lastCount, deliverAt, accepted, deadLettered);
      if (snapshot == null && step == steps / 2) {
        snapshot = state.toRecords();
        snapshotAt = log.size();
      }
    }
    assertTrue(accepted.stream().noneMatch(deadLettered::contains), "accepted and dead-lettered");

    ShareState replayed = new ShareState();
    for (ShareRecord r : log) {
      ShareRecordCodec.decode(ShareRecordCodec.encode(List.of(r))).forEach(replayed::apply);
    }
    assertEquals(state.toRecords(), replayed.toRecords(), "replay through the codec differs");

    ShareState restored = new ShareState();
    restored.restore(ShareRecordCodec.decodeAll(ShareRecordCodec.encodeAll(snapshot)));
    log.subList(snapshotAt, log.size()).forEach(restored::apply);
    assertEquals(state.toRecords(), restored.toRecords(), "snapshot + tail differs");
  }

  private static long pickOffset(Random random, SharePartitionState p, long end) {
    List<InFlightRecord> records = new ArrayList<>(p.records());
    if (records.isEmpty() || random.nextInt(6) == 0) {
      return random.nextInt((int) end + 3);
    }
    return records.get(random.nextInt(records.size())).offset();
  }

  private static Map<Long, RecordState> states(ShareState state, long end) {
    Map<Long, RecordState> out = new HashMap<>();
    state
        .partition(G, T, 0)
        .ifPresent(
            p -> {
              for (long o = 0; o < end; o++) {
                out.put(o, p.stateOf(o));
              }
            });
    return out;
  }

  private static void check(
      ShareState state,
      ShareRecord op,
      Map<Long, RecordState> before,
      long end,
      Map<Long, Integer> lastCount,
      Map<Long, Long> deliverAt,
      Set<Long> accepted,
      Set<Long> deadLettered) {
    SharePartitionState p = state.partition(G, T, 0).orElseThrow();
    assertEquals(end, p.endOffset());
    for (long o = 0; o < end; o++) {
      RecordState s = p.stateOf(o);
      if (s == RecordState.DONE) {
        if (!accepted.contains(o) && !deadLettered.contains(o)) {
          fail("offset " + o + " left the window without being accepted or dead-lettered: lost");
        }
        continue;
      }
      assertTrue(!accepted.contains(o), "accepted offset " + o + " is back in state " + s);
      InFlightRecord r = p.record(o);
      int previous = lastCount.getOrDefault(o, 0);
      assertTrue(r.deliveryCount() >= previous, "offset " + o + " delivery count decreased");
      if (r.deliveryCount() > previous && op instanceof Acquired a) {
        Long at = deliverAt.get(o);
        assertTrue(at == null || a.atMs() >= at, "offset " + o + " acquired before " + at);
        assertTrue(
            before.get(o) == RecordState.AVAILABLE || before.get(o) == RecordState.DELAYED,
            "offset " + o + " acquired from " + before.get(o));
      }
      assertTrue(r.deliveryCount() <= LIMIT, "offset " + o + " delivered " + r.deliveryCount());
      lastCount.put(o, r.deliveryCount());
    }
  }
}
