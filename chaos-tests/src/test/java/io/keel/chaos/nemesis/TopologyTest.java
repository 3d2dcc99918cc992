package io.keel.chaos.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.chaos.net.Link;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopologyTest {
  private static final List<Integer> FIVE = List.of(3, 1, 2, 5, 4);

  @Test
  void isolateCutsBothDirectionsToEveryOtherNode() {
    assertEquals(
        Set.of(new Link(1, 2), new Link(2, 1), new Link(1, 3), new Link(3, 1)),
        Topology.isolate(1, List.of(1, 2, 3)));
  }

  @Test
  void halvesSplitsMinorityFromMajority() {
    Set<Link> links = Topology.halves(FIVE);
    assertEquals(2 * 3 * 2, links.size());
    assertTrue(links.contains(new Link(3, 2)) && links.contains(new Link(4, 1)));
    assertTrue(!links.contains(new Link(3, 1)) && !links.contains(new Link(2, 5)));
  }

  @Test
  void bridgeNodeTalksToBothSidesWhichCannotTalkToEachOther() {
    Set<Link> links = Topology.bridge(FIVE);
    assertEquals(2 * 2 * 2, links.size());
    assertTrue(links.stream().noneMatch(l -> l.from() == 2 || l.to() == 2), links.toString());
    assertTrue(links.contains(new Link(3, 5)) && links.contains(new Link(4, 1)));
    assertThrows(IllegalArgumentException.class, () -> Topology.bridge(List.of(1, 2)));
  }

  @Test
  void muteAndDeafenAreOneWay() {
    assertEquals(Set.of(new Link(2, 1), new Link(2, 3)), Topology.mute(2, List.of(1, 2, 3)));
    assertEquals(Set.of(new Link(1, 2), new Link(3, 2)), Topology.deafen(2, List.of(1, 2, 3)));
  }
}
