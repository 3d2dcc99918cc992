package io.keel.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.group.GroupLogic.Accepted;
import io.keel.broker.group.GroupLogic.Heartbeat;
import io.keel.broker.group.GroupLogic.Outcome;
import io.keel.broker.group.GroupLogic.Rejected;
import io.keel.proto.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class GroupLogicTest {
  private final GroupLogic logic = GroupLogic.standard();
  private int nextId;

  /** A member as the client sees itself. */
  private static final class Client {
    String memberId = "";
    int epoch;
    Set<TopicPartition> owned = new TreeSet<>();
    List<String> topics = List.of("t");
  }

  private Outcome beat(GroupMetadata g, Client c, Map<String, Integer> counts) {
    return logic.heartbeat(
        g,
        new Heartbeat(c.memberId, c.epoch, "client", 30_000, c.topics, "", Set.copyOf(c.owned)),
        counts,
        () -> "m" + (nextId++));
  }

  /** Heartbeats and adopts the reply as a client does; returns the next group. */
  private GroupMetadata beatAndAdopt(GroupMetadata g, Client c, Map<String, Integer> counts) {
    Accepted a = assertInstanceOf(Accepted.class, beat(g, c, counts));
    c.memberId = a.memberId();
    c.epoch = a.memberEpoch();
    c.owned = new TreeSet<>(a.assignment());
    return a.next();
  }

  @Test
  void threeMembersConvergeToOneOwnerPerPartition() {
    Map<String, Integer> counts = Map.of("t", 12);
    GroupMetadata g = GroupMetadata.empty("g", UniformAssignor.NAME);
    List<Client> clients = List.of(new Client(), new Client(), new Client());
    for (int round = 0; round < 5; round++) {
      for (Client c : clients) {
        g = beatAndAdopt(g, c, counts);
      }
    }
    Set<TopicPartition> all = new HashSet<>();
    for (Client c : clients) {
      assertEquals(4, c.owned.size());
      c.owned.forEach(tp -> assertTrue(all.add(tp)));
      assertEquals(g.assignmentEpoch(), c.epoch);
    }
    assertEquals(12, all.size());
    assertEquals(GroupMetadata.State.STABLE, g.state());
  }

  @Test
  void partitionIsRevokedBeforeItIsReassigned() {
    Map<String, Integer> counts = Map.of("t", 2);
    GroupMetadata g = GroupMetadata.empty("g", UniformAssignor.NAME);
    Client a = new Client();
    g = beatAndAdopt(g, a, counts);
    assertEquals(2, a.owned.size());
    Client b = new Client();
    g = beatAndAdopt(g, b, counts);
    // b's target has one partition, but a still owns it: b gets nothing yet.
    assertEquals(Set.of(), b.owned);
    TopicPartition moving = g.members().get(b.memberId).target().iterator().next();
    Accepted toA = assertInstanceOf(Accepted.class, beat(g, a, counts));
    assertTrue(!toA.assignment().contains(moving), "a is told to revoke " + moving);
    // a's heartbeat still reports it owns the partition: it stays a's until a reports otherwise.
    g = toA.next();
    g = beatAndAdopt(g, b, counts);
    assertEquals(Set.of(), b.owned);
    g = beatAndAdopt(g, a, counts); // adopts the reduced assignment, then reports it next time
    g = beatAndAdopt(g, a, counts);
    g = beatAndAdopt(g, b, counts);
    assertEquals(Set.of(moving), b.owned);
  }

  @Test
  void removedMemberIsFencedEverywhere() {
    Map<String, Integer> counts = Map.of("t", 4);
    GroupMetadata g = GroupMetadata.empty("g", UniformAssignor.NAME);
    Client zombie = new Client();
    g = beatAndAdopt(g, zombie, counts);
    Set<TopicPartition> owned = Set.copyOf(zombie.owned);
    assertNull(GroupLogic.checkCommit(g, zombie.memberId, zombie.epoch, owned));
    g = logic.remove(g, zombie.memberId, counts);
    Rejected hb = assertInstanceOf(Rejected.class, beat(g, zombie, counts));
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, hb.code());
    assertEquals(
        ErrorCode.UNKNOWN_MEMBER_ID,
        GroupLogic.checkCommit(g, zombie.memberId, zombie.epoch, owned).code());
    // Rejoining with epoch 0 works and gets a fresh id.
    zombie.memberId = "";
    zombie.epoch = 0;
    zombie.owned.clear();
    g = beatAndAdopt(g, zombie, counts);
    assertEquals(4, zombie.owned.size());
  }

  @Test
  void wrongEpochsAreRejected() {
    Map<String, Integer> counts = Map.of("t", 4);
    GroupMetadata g = GroupMetadata.empty("g", UniformAssignor.NAME);
    Client a = new Client();
    g = beatAndAdopt(g, a, counts);
    Client forged = new Client();
    forged.memberId = a.memberId;
    forged.epoch = a.epoch + 5;
    assertEquals(
        ErrorCode.FENCED_MEMBER_EPOCH,
        assertInstanceOf(Rejected.class, beat(g, forged, counts)).code());
    assertEquals(
        ErrorCode.FENCED_MEMBER_EPOCH,
        GroupLogic.checkCommit(g, a.memberId, a.epoch + 1, Set.of()).code());
    assertEquals(ErrorCode.GROUP_NOT_EMPTY, GroupLogic.checkCommit(g, "", -1, Set.of()).code());
    assertEquals(
        ErrorCode.FENCED_MEMBER_EPOCH,
        GroupLogic.checkCommit(g, a.memberId, a.epoch, Set.of(new TopicPartition("t", 9))).code());
  }

  @Test
  void unknownAssignorIsRejected() {
    Client a = new Client();
    Outcome o =
        logic.heartbeat(
            GroupMetadata.empty("g", UniformAssignor.NAME),
            new Heartbeat("", 0, "c", 1000, List.of("t"), "bogus", Set.of()),
            Map.of("t", 1),
            () -> "m");
    assertEquals(ErrorCode.UNSUPPORTED_ASSIGNOR, assertInstanceOf(Rejected.class, o).code());
    assertEquals("", a.memberId);
  }

  /**
   * Random joins, leaves, expiries, lost replies, subscription and partition-count changes: after
   * every step no partition is held by two members on the coordinator, and no two live clients own
   * the same partition; after the chaos every partition ends up with exactly one owner.
   */
  @Test
  void randomizedReconciliationNeverDoubleAssigns() {
    long seed = Long.getLong("keel.group.seed", System.nanoTime());
    System.out.printf(
        "GroupLogicTest seed %d; replay: ./mvnw -pl broker test -Dtest=GroupLogicTest"
            + " -Dkeel.group.seed=%d%n",
        seed, seed);
    Random random = new Random(seed);
    for (int run = 0; run < 10; run++) {
      simulate(random, seed);
    }
  }

  private void simulate(Random random, long seed) {
    Map<String, Integer> counts = new HashMap<>(Map.of("t", 1 + random.nextInt(12), "u", 3));
    GroupMetadata g =
        GroupMetadata.empty("g", random.nextBoolean() ? UniformAssignor.NAME : RangeAssignor.NAME);
    List<Client> live = new ArrayList<>();
    for (int step = 0; step < 300; step++) {
      int action = random.nextInt(100);
      if (action < 8 || live.isEmpty()) {
        live.add(new Client());
        g = beatAndAdopt(g, live.get(live.size() - 1), counts);
      } else if (action < 12) {
        Client gone = live.remove(random.nextInt(live.size()));
        g = logic.remove(g, gone.memberId, counts); // left, or its session expired
      } else if (action < 14) {
        counts.put("t", counts.get("t") + 1);
      } else if (action < 16) {
        Client c = live.get(random.nextInt(live.size()));
        c.topics = random.nextBoolean() ? List.of("t", "u") : List.of("t");
      } else {
        Client c = live.get(random.nextInt(live.size()));
        Outcome o = beat(g, c, counts);
        if (o instanceof Rejected r) {
          // Two replies in a row were lost: the member is fenced, drops everything and rejoins.
          assertEquals(ErrorCode.FENCED_MEMBER_EPOCH, r.code(), "seed " + seed);
          c.epoch = 0;
          c.owned.clear();
          continue;
        }
        Accepted a = (Accepted) o;
        g = a.next();
        if (random.nextInt(10) > 0) { // else the reply is lost
          c.memberId = a.memberId();
          c.epoch = a.memberEpoch();
          c.owned = new TreeSet<>(a.assignment());
        }
      }
      checkInvariants(g, live, seed);
    }
    for (int round = 0; round < 10 && !live.isEmpty(); round++) {
      for (Client c : live) {
        if (beat(g, c, counts) instanceof Rejected r) {
          assertEquals(ErrorCode.FENCED_MEMBER_EPOCH, r.code(), "seed " + seed);
          c.epoch = 0; // fenced by lost replies during the chaos: rejoin
          c.owned.clear();
        }
        g = beatAndAdopt(g, c, counts);
      }
    }
    if (!live.isEmpty()) {
      assertEquals(GroupMetadata.State.STABLE, g.state(), "seed " + seed + " group " + g);
      Set<TopicPartition> owned = new HashSet<>();
      live.forEach(c -> owned.addAll(c.owned));
      int expected = counts.get("t");
      if (live.stream().anyMatch(c -> c.topics.contains("u"))) {
        expected += counts.get("u");
      }
      assertEquals(expected, owned.size(), "seed " + seed);
    }
  }

  private static void checkInvariants(GroupMetadata g, List<Client> live, long seed) {
    Set<TopicPartition> held = new HashSet<>();
    for (MemberState m : g.members().values()) {
      for (TopicPartition tp : m.assigned()) {
        assertTrue(held.add(tp), "seed " + seed + ": " + tp + " held twice in " + g);
      }
    }
    Set<TopicPartition> owned = new HashSet<>();
    for (Client c : live) {
      MemberState m = g.members().get(c.memberId);
      for (TopicPartition tp : c.owned) {
        assertTrue(owned.add(tp), "seed " + seed + ": " + tp + " owned by two clients");
        assertTrue(m.assigned().contains(tp), "seed " + seed + ": client owns ungranted " + tp);
      }
    }
  }
}
