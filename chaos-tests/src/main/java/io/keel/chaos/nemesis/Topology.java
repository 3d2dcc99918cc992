package io.keel.chaos.nemesis;

import io.keel.chaos.net.Link;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Partition shapes as sets of blocked directed links. Pure; node lists come pre-shuffled. */
public final class Topology {
  private Topology() {}

  /** Every link between the two groups, both directions. */
  public static Set<Link> cut(List<Integer> a, List<Integer> b) {
    Set<Link> out = new HashSet<>();
    for (int x : a) {
      for (int y : b) {
        out.add(new Link(x, y));
        out.add(new Link(y, x));
      }
    }
    return out;
  }

  /** One node cut off from all others. */
  public static Set<Link> isolate(int node, List<Integer> all) {
    return cut(List.of(node), all.stream().filter(n -> n != node).toList());
  }

  /** The first floor(n/2) nodes (a minority) against the rest (a majority). */
  public static Set<Link> halves(List<Integer> shuffled) {
    int minority = shuffled.size() / 2;
    return cut(shuffled.subList(0, minority), shuffled.subList(minority, shuffled.size()));
  }

  /**
   * Two halves that cannot talk to each other, and one bridge node (the middle one) that talks to
   * both: each half plus the bridge is a majority, and neither sees the other.
   */
  public static Set<Link> bridge(List<Integer> shuffled) {
    int n = shuffled.size();
    if (n < 3) {
      throw new IllegalArgumentException("bridge needs at least 3 nodes, got " + n);
    }
    int mid = n / 2;
    List<Integer> left = shuffled.subList(0, mid);
    List<Integer> right = shuffled.subList(mid + 1, n);
    return cut(left, right);
  }

  /** Node's traffic to every other node is dropped; traffic to it still arrives. */
  public static Set<Link> mute(int node, List<Integer> all) {
    Set<Link> out = new HashSet<>();
    all.stream().filter(n -> n != node).forEach(n -> out.add(new Link(node, n)));
    return out;
  }

  /** Traffic from every other node to this node is dropped; it can still send. */
  public static Set<Link> deafen(int node, List<Integer> all) {
    Set<Link> out = new HashSet<>();
    all.stream().filter(n -> n != node).forEach(n -> out.add(new Link(n, node)));
    return out;
  }
}
