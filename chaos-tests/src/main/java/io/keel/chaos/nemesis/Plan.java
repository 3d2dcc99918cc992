package io.keel.chaos.nemesis;

import io.keel.chaos.net.Degradation;
import io.keel.chaos.net.Link;
import java.util.List;
import java.util.Set;

/** A concrete fault: which nodes or links, decided when it starts. */
public sealed interface Plan {
  /** kill -9 these nodes; healing restarts them. */
  record Kill(List<Integer> nodes) implements Plan {}

  /** SIGSTOP these nodes; healing sends SIGCONT. */
  record Pause(List<Integer> nodes) implements Plan {}

  /** Drop traffic on these directed links; healing removes every partition. */
  record Partition(Set<Link> blocked) implements Plan {
    public Partition {
      blocked = Set.copyOf(blocked);
    }
  }

  /** Delay and lose packets on every link; healing restores the network. */
  record Degrade(Degradation degradation) implements Plan {}

  /** Gracefully restart every node in turn, each back to ready before the next; no heal. */
  record RollingRestart(List<Integer> order) implements Plan {}
}
