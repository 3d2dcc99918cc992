package io.keel.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.client.testing.FakeKeelCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeelAdminTest {
  private FakeKeelCluster cluster;
  private KeelAdmin admin;

  @BeforeEach
  void setUp() throws Exception {
    cluster = FakeKeelCluster.start(3);
    admin =
        new KeelAdmin(
            KeelAdminConfig.builder()
                .bootstrap(cluster.bootstrap())
                .defaultApiTimeoutMs(10_000)
                .build(),
            cluster.channelFactory());
  }

  @AfterEach
  void tearDown() throws Exception {
    admin.close(Duration.ofSeconds(5));
    cluster.close();
  }

  @Test
  void createTopicsReportsEachTopicSeparately() throws Exception {
    cluster.createTopic("exists", 1);
    AdminResult<Void> result =
        admin.createTopics(List.of(new NewTopic("fresh", 4, 3), new NewTopic("exists", 1, 3)));
    assertNull(result.values().get("fresh").get(10, TimeUnit.SECONDS));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> result.values().get("exists").get());
    assertInstanceOf(TopicExistsException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("exists"), e.getCause().getMessage());
    assertThrows(ExecutionException.class, () -> result.all().get());
  }

  @Test
  void describeTopicsShowsPartitionsLeadersAndOffsets() throws Exception {
    admin.createTopics(List.of(new NewTopic("d", 2, 1))).all().get(10, TimeUnit.SECONDS);
    TopicDescription d = admin.describeTopics(List.of("d")).values().get("d").get();
    assertEquals(2, d.partitions().size());
    assertEquals(cluster.leaderOf("d", 1), d.partitions().get(1).leaderId());
    assertEquals(0, d.partitions().get(0).logEndOffset());
    var missing = admin.describeTopics(List.of("missing")).values().get("missing");
    ExecutionException e = assertThrows(ExecutionException.class, missing::get);
    assertInstanceOf(UnknownTopicException.class, e.getCause());
  }

  @Test
  void listTopicsAndDescribeCluster() throws Exception {
    cluster.createTopic("a", 3);
    List<TopicListing> topics = admin.listTopics().get(10, TimeUnit.SECONDS);
    assertEquals(List.of(new TopicListing("a", 3, 1, false)), topics);
    ClusterDescription c = admin.describeCluster().get(10, TimeUnit.SECONDS);
    assertEquals(3, c.nodes().size());
    assertEquals(FakeKeelCluster.CONTROLLER_ID, c.controllerId());
    assertTrue(c.healthy());
  }
}
