package io.keel.client.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keel.client.RecordMetadata;
import io.keel.client.testing.FakeKeelCluster;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs the documented examples over real sockets against the fake cluster. */
class ExamplesTest {
  @Test
  void examplesRunEndToEnd() throws Exception {
    try (FakeKeelCluster cluster = FakeKeelCluster.startOnSockets(3)) {
      String bootstrap = String.join(",", cluster.bootstrapAll());
      assertEquals(3, AdminExample.run(bootstrap, "orders", 3).partitions().size());
      List<RecordMetadata> written = ProducerExample.run(bootstrap, "orders", 100);
      assertEquals(100, written.size());
      List<String> read = ConsumerExample.run(bootstrap, "orders", 3, 100);
      assertEquals(100, read.size());
      assertEquals(100, read.stream().distinct().count());
    }
  }
}
