package io.keel.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keel.broker.controller.MetadataCommand.CreateTopic;
import io.keel.broker.controller.MetadataCommand.DeleteTopic;
import io.keel.broker.controller.MetadataCommand.RegisterBroker;
import io.keel.broker.controller.MetadataCommand.SetBrokerOnline;
import io.keel.broker.controller.MetadataCommand.SetTopicConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataImageTest {
  private static final List<MetadataCommand> HISTORY =
      List.of(
          new RegisterBroker(1, "a:1", "a:1"),
          new RegisterBroker(2, "b:1", "b:1"),
          new CreateTopic("t", List.of(List.of(1, 2), List.of(2, 1)), Map.of("retention.ms", "5")),
          new SetBrokerOnline(2, false),
          new SetTopicConfig("t", Map.of("retention.ms", "6")),
          new CreateTopic("t", List.of(List.of(1)), Map.of()),
          new CreateTopic("u", List.of(List.of(1)), Map.of()),
          new DeleteTopic("u"));

  private static MetadataImage replay() {
    MetadataImage image = MetadataImage.EMPTY;
    long index = 1;
    for (MetadataCommand c : HISTORY) {
      image = image.apply(MetadataCodec.decode(MetadataCodec.encode(c)), index++);
    }
    return image;
  }

  @Test
  void commandsFoldDeterministically() {
    MetadataImage image = replay();
    assertEquals(HISTORY.size(), image.version());
    assertEquals(List.of(1), image.onlineBrokers());
    assertFalse(image.broker(2).orElseThrow().online());
    TopicInfo t = image.topic("t").orElseThrow();
    assertEquals(1, t.topicId());
    assertEquals(2, t.partitions(), "a second create of an existing name is ignored");
    assertEquals(Map.of("retention.ms", "6"), t.configs());
    assertTrue(image.topic("u").isEmpty());
    assertEquals(3, image.nextTopicId(), "topic ids are never reused");
    assertEquals(replay(), image);
  }

  @Test
  void imageSurvivesSnapshotEncoding() {
    MetadataImage image = replay();
    assertEquals(image, MetadataCodec.decodeImage(MetadataCodec.encodeImage(image)));
  }

  @Test
  void groupIdsPackTopicAndPartition() {
    long g = TopicInfo.groupId(3, 17);
    assertEquals(3, TopicInfo.topicIdOf(g));
    assertEquals(17, TopicInfo.partitionOf(g));
    assertTrue(g != 0);
  }
}
