package io.keel.chaos.workload;

import io.keel.client.KeelConsumer;
import io.keel.client.TopicPartition;
import java.util.List;
import java.util.Set;

/**
 * Finds out, before any fault, whether the cluster serves group offsets, so a cluster without
 * consumer groups still gets a queue run (with manual assignment) instead of none.
 */
final class GroupProbe {
  private GroupProbe() {}

  /** Whether committed() answers for {@code group} (the group need not exist). */
  static boolean offsetsServed(KeelClients factory, String topic, String group) {
    try (KeelConsumer<Long, Long> c = factory.consumer("chaos-group-probe", group)) {
      c.committed(Set.of(new TopicPartition(topic, 0)));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  static QueueConsumer.Mode queueMode(
      KeelClients factory, String topic, String group, List<String> notes) {
    if (Boolean.getBoolean("keel.chaos.manualAssign")) {
      notes.add("consumers use manual assignment (-Dkeel.chaos.manualAssign)");
      return offsetsServed(factory, topic, group)
          ? QueueConsumer.Mode.ASSIGN_COMMIT
          : QueueConsumer.Mode.ASSIGN_ONLY;
    }
    if (offsetsServed(factory, topic, group)) {
      return QueueConsumer.Mode.GROUP;
    }
    notes.add("cluster serves no group offsets: queue consumers use assign() without commits");
    return QueueConsumer.Mode.ASSIGN_ONLY;
  }
}
