package io.keel.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.random.RandomGenerator;

/**
 * A lossy network: per message random delay (so reordering), drops, duplicates, and directed links
 * that can be cut for symmetric or asymmetric partitions.
 */
final class SimNetwork {
  private record InFlight(long deliverAt, long seq, Message message) {}

  private final RandomGenerator random;
  private final int nodes;
  private final PriorityQueue<InFlight> queue =
      new PriorityQueue<>(
          (a, b) ->
              a.deliverAt() != b.deliverAt()
                  ? Long.compare(a.deliverAt(), b.deliverAt())
                  : Long.compare(a.seq(), b.seq()));
  // blocked[from][to]: messages from -> to are dropped.
  private final boolean[][] blocked;
  private long seq;
  private double dropRate;
  private double dupRate;
  private int maxDelaySteps;

  SimNetwork(RandomGenerator random, int nodes, SimOptions options) {
    this.random = random;
    this.nodes = nodes;
    this.blocked = new boolean[nodes + 1][nodes + 1];
    this.dropRate = options.dropRate();
    this.dupRate = options.dupRate();
    this.maxDelaySteps = options.maxDelaySteps();
  }

  void send(long now, Message m) {
    if (blocked[m.from()][m.to()] || random.nextDouble() < dropRate) {
      return;
    }
    enqueue(now, m);
    if (random.nextDouble() < dupRate) {
      enqueue(now, m);
    }
  }

  private void enqueue(long now, Message m) {
    queue.add(new InFlight(now + 1 + random.nextInt(maxDelaySteps), seq++, m));
  }

  /** Messages due at {@code now}, in delivery order; links cut meanwhile drop them. */
  List<Message> due(long now) {
    List<Message> out = new ArrayList<>();
    while (!queue.isEmpty() && queue.peek().deliverAt() <= now) {
      Message m = queue.poll().message();
      if (!blocked[m.from()][m.to()]) {
        out.add(m);
      }
    }
    return out;
  }

  /** Cuts the network in two random halves, or cuts random single directions. */
  String partition() {
    if (random.nextBoolean()) {
      List<Integer> left = new ArrayList<>();
      for (int a = 1; a <= nodes; a++) {
        if (random.nextBoolean()) {
          left.add(a);
        }
      }
      for (int a = 1; a <= nodes; a++) {
        for (int b = 1; b <= nodes; b++) {
          if (left.contains(a) != left.contains(b)) {
            blocked[a][b] = true;
          }
        }
      }
      return "symmetric " + left;
    }
    int a = 1 + random.nextInt(nodes);
    int b = 1 + random.nextInt(nodes);
    blocked[a][b] = true;
    return "asymmetric " + a + "->" + b;
  }

  /** Cuts every link to and from {@code node}; messages already in flight are lost too. */
  void isolate(int node) {
    for (int other = 1; other <= nodes; other++) {
      if (other != node) {
        blocked[node][other] = true;
        blocked[other][node] = true;
      }
    }
  }

  void heal() {
    for (boolean[] row : blocked) {
      java.util.Arrays.fill(row, false);
    }
  }

  /** Liveness phase: a reliable (still reordering) network. */
  void makeReliable() {
    heal();
    dropRate = 0;
    dupRate = 0;
    maxDelaySteps = Math.min(maxDelaySteps, 6);
  }
}
