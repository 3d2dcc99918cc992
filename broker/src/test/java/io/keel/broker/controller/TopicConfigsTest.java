package io.keel.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicConfigsTest {

  @Test
  void validOverridesPass() {
    assertEquals(
        Optional.empty(),
        TopicConfigs.validate(
            Map.of("retention.ms", "-1", "retention.bytes", "1000", "segment.bytes", "4096")));
  }

  @Test
  void problemsNameTheKey() {
    assertTrue(
        TopicConfigs.validate(Map.of("retention.hours", "1"))
            .orElseThrow()
            .contains("'retention.hours'"));
    assertTrue(
        TopicConfigs.validate(Map.of("segment.ms", "soon"))
            .orElseThrow()
            .contains("'segment.ms' must be an integer"));
    assertTrue(
        TopicConfigs.validate(Map.of("retention.ms", "0"))
            .orElseThrow()
            .contains("'retention.ms' must be > 0 or -1"));
    assertTrue(
        TopicConfigs.validate(Map.of("segment.bytes", "-1"))
            .orElseThrow()
            .contains("'segment.bytes' must be >= 1"));
  }
}
