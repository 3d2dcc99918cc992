package io.keel.broker.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keel.broker.controller.MetadataCommand.CreateTopic;
import io.keel.broker.controller.MetadataCommand.RegisterBroker;
import io.keel.broker.controller.MetadataImage;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.raft.FreshStart;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which fresh replicas bootstrap. The case that matters: a wiped node replays the metadata log
 * entry by entry after its metadata replica was fenced, so every old topic looks "just created" to
 * it; bootstrapping those replicas would forget their votes (CI caught this as a flaky
 * WipedNodeRejoinTest when the replay happened to arrive in several batches).
 */
class FreshStartsTest {
  private static final long GROUP = TopicInfo.groupId(1, 0);

  private static MetadataImage registered(long index) {
    return MetadataImage.EMPTY.apply(new RegisterBroker(1, "a:1", "a:2"), index);
  }

  @Test
  void aGroupCreatedByTheChangeJustSeenBootstraps() {
    assertEquals(FreshStart.BOOTSTRAP, FreshStarts.of(registered(4), GROUP, 0));
  }

  @Test
  void aGroupInTheFirstImageOfTheProcessRejoins() {
    assertEquals(FreshStart.REJOIN, FreshStarts.of(MetadataImage.EMPTY, GROUP, 0));
  }

  @Test
  void aGroupReplayedFromBelowTheMetadataFenceRejoins() {
    assertEquals(FreshStart.REJOIN, FreshStarts.of(registered(4), GROUP, 9));
    assertEquals(FreshStart.REJOIN, FreshStarts.of(registered(8), GROUP, 9));
  }

  @Test
  void aGroupCreatedAboveTheMetadataFenceBootstraps() {
    assertEquals(FreshStart.BOOTSTRAP, FreshStarts.of(registered(9), GROUP, 9));
    assertEquals(FreshStart.BOOTSTRAP, FreshStarts.of(registered(12), GROUP, 9));
  }

  @Test
  void aGroupThePreviousImageHadRejoins() {
    MetadataImage withTopic =
        registered(4).apply(new CreateTopic("t", List.of(List.of(1)), Map.of()), 5);
    assertEquals(
        FreshStart.REJOIN,
        FreshStarts.of(withTopic, withTopic.topic("t").orElseThrow().groupId(0), 0));
  }
}
