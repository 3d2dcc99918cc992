package io.keel.client.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/queues.md shows the task-queue example's settling code as it is compiled and tested. */
class QueuesDocTest {
  @Test
  void theSettleExcerptIsTheCompiledOne() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "queues.md"));
    String source =
        Files.readString(Path.of("src/test/java/io/keel/client/examples/TaskQueueExample.java"));
    String excerpt =
        source
            .substring(
                source.indexOf("  private AcknowledgeType settle("),
                source.indexOf("  private static int attempt("))
            .stripTrailing() // a blank last line would count as indentation 0
            .stripIndent();
    assertTrue(
        doc.contains("```java\n" + excerpt + "\n```"),
        "docs/queues.md's task-queue excerpt differs from TaskQueueExample:\n" + excerpt);
  }
}
