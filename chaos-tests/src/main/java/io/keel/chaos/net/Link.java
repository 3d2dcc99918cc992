package io.keel.chaos.net;

/** A directed network link: traffic sent by node {@code from} to node {@code to}. */
public record Link(int from, int to) {
  public Link {
    if (from == to) {
      throw new IllegalArgumentException("link from a node to itself: " + from);
    }
  }

  public Link reversed() {
    return new Link(to, from);
  }
}
