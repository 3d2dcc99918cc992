package io.keel.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keel.broker.testing.TestCluster;
import io.keel.proto.CommitOffset;
import io.keel.proto.CommitOffsetsRequest;
import io.keel.proto.CommitOffsetsResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.FetchOffsetsRequest;
import io.keel.proto.FetchOffsetsResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Committed offsets survive a restart of every node: the coordinator's state comes back from its
 * Raft snapshot (taken every few entries here) plus the entries after it.
 */
class GroupRestartTest {

  @Test
  void offsetsSurviveAFullClusterRestart() {
    Map<String, String> settings = new HashMap<>(GroupCoordinatorClusterTest.GROUP_SETTINGS);
    settings.put("raft.snapshot.interval.entries", "4");
    try (TestCluster cluster = TestCluster.start(3, settings);
        RawGroupClient client = new RawGroupClient(cluster)) {
      cluster.awaitReady(Duration.ofSeconds(30));
      assertEquals(ErrorCode.NONE, cluster.createTopic("orders", 4, 3).getError().getCode());
      String g = "durable";
      for (int round = 1; round <= 10; round++) {
        long offset = round * 10L;
        int partition = round % 4;
        CommitOffsetsResponse r =
            client.call(
                g,
                c ->
                    c.commitOffsets(
                        CommitOffsetsRequest.newBuilder()
                            .setGroupId(g)
                            .setMemberEpoch(-1)
                            .addOffsets(
                                CommitOffset.newBuilder()
                                    .setTopic("orders")
                                    .setPartition(partition)
                                    .setOffset(offset))
                            .build()),
                x -> x.getError().getCode());
        assertEquals(ErrorCode.NONE, r.getError().getCode(), r.toString());
      }
      for (int id = 1; id <= 3; id++) {
        cluster.stopNode(id);
      }
      for (int id = 1; id <= 3; id++) {
        cluster.restartNode(id);
      }
      cluster.awaitReady(Duration.ofSeconds(60));
      FetchOffsetsResponse fetched =
          client.call(
              g,
              c -> c.fetchOffsets(FetchOffsetsRequest.newBuilder().setGroupId(g).build()),
              x -> x.getError().getCode());
      Map<Integer, Long> byPartition = new HashMap<>();
      fetched.getPartitionsList().forEach(p -> byPartition.put(p.getPartition(), p.getOffset()));
      // The last commit of each partition (round r commits r * 10 to partition r % 4).
      assertEquals(Map.of(0, 80L, 2, 100L, 1, 90L, 3, 70L), byPartition);
    }
  }
}
