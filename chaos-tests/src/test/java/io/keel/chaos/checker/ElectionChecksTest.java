package io.keel.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElectionChecksTest {

  @Test
  void aSecondCandidateInOneTermIsADoubleVoteAcrossIncarnations() {
    ElectionLog log =
        parse(
            "12:00:00.000 INFO  i.k.b.r.elections - vote group=5 term=3 candidate=1",
            "12:00:01.000 INFO  i.k.b.r.elections - vote group=5 term=3 candidate=1",
            "12:00:02.000 INFO  i.k.b.BrokerMain - node 2 started",
            "12:00:03.000 INFO  i.k.b.r.elections - vote group=5 term=3 candidate=3",
            "12:00:04.000 INFO  i.k.b.r.elections - vote group=5 term=4 candidate=3");
    Anomalies out = new Anomalies(10);
    ElectionChecks.run(log, out);
    assertEquals(1, out.reports().get(AnomalyType.DOUBLE_VOTE).count());
    assertEquals(
        List.of("node 2 voted for 1 and then 3 in term 3 of group 5"),
        out.reports().get(AnomalyType.DOUBLE_VOTE).examples());
  }

  @Test
  void twoLeadersInOneTermAreFlaggedOneLeaderRepeatedIsNot() {
    List<ElectionLog.Vote> votes = new ArrayList<>();
    List<ElectionLog.Leader> leaders = new ArrayList<>();
    ElectionLog.parse(1, "x - leader group=0 term=7", votes, leaders);
    ElectionLog.parse(1, "x - leader group=0 term=7", votes, leaders);
    ElectionLog.parse(2, "x - leader group=0 term=8", votes, leaders);
    ElectionLog.parse(3, "x - leader group=0 term=8", votes, leaders);
    Anomalies out = new Anomalies(10);
    ElectionChecks.run(new ElectionLog(votes, leaders), out);
    assertEquals(1, out.reports().get(AnomalyType.TWO_LEADERS).count());
    assertEquals(0, out.reports().get(AnomalyType.DOUBLE_VOTE).count());
  }

  private static ElectionLog parse(String... lines) {
    List<ElectionLog.Vote> votes = new ArrayList<>();
    List<ElectionLog.Leader> leaders = new ArrayList<>();
    for (String line : lines) {
      ElectionLog.parse(2, line, votes, leaders);
    }
    return new ElectionLog(votes, leaders);
  }
}
