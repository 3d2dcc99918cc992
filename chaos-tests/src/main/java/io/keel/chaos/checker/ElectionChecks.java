package io.keel.chaos.checker;

import java.util.HashMap;
import java.util.Map;

/** Election safety on real processes: one vote per node per term, one leader per term. */
final class ElectionChecks {
  private ElectionChecks() {}

  private record NodeTerm(int node, long group, long term) {}

  private record GroupTerm(long group, long term) {}

  static void run(ElectionLog log, Anomalies out) {
    Map<NodeTerm, Integer> votes = new HashMap<>();
    for (ElectionLog.Vote v : log.votes()) {
      Integer first = votes.putIfAbsent(new NodeTerm(v.node(), v.group(), v.term()), v.candidate());
      if (first != null && first != v.candidate()) {
        out.add(
            AnomalyType.DOUBLE_VOTE,
            "node %d voted for %d and then %d in term %d of group %d"
                .formatted(v.node(), first, v.candidate(), v.term(), v.group()));
        votes.put(new NodeTerm(v.node(), v.group(), v.term()), v.candidate());
      }
    }
    Map<GroupTerm, Integer> leaders = new HashMap<>();
    for (ElectionLog.Leader l : log.leaders()) {
      Integer first = leaders.putIfAbsent(new GroupTerm(l.group(), l.term()), l.node());
      if (first != null && first != l.node()) {
        out.add(
            AnomalyType.TWO_LEADERS,
            "nodes %d and %d both led group %d in term %d"
                .formatted(first, l.node(), l.group(), l.term()));
      }
    }
  }
}
