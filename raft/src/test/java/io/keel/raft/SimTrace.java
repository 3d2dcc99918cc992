package io.keel.raft;

/** The last events of a simulation, kept cheaply and rendered only when a run fails. */
final class SimTrace {
  private record Event(long step, int node, String kind, Object detail) {}

  private final Event[] ring;
  private long count;
  private final java.util.Map<String, Long> counts = new java.util.TreeMap<>();

  SimTrace(int capacity) {
    ring = new Event[capacity];
  }

  void add(long step, int node, String kind, Object detail) {
    ring[(int) (count++ % ring.length)] = new Event(step, node, kind, detail);
    String key = detail instanceof Message ? kind + " " + detail.getClass().getSimpleName() : kind;
    counts.merge(key, 1L, Long::sum);
  }

  /** How many events of each kind (messages by type) this run saw. */
  java.util.Map<String, Long> counts() {
    return counts;
  }

  String render() {
    StringBuilder out = new StringBuilder();
    long from = Math.max(0, count - ring.length);
    for (long i = from; i < count; i++) {
      Event e = ring[(int) (i % ring.length)];
      out.append(
          String.format("  [step %6d] n%d %-10s %s%n", e.step(), e.node(), e.kind(), e.detail()));
    }
    return out.toString();
  }
}
