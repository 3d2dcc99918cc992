package io.keel.chaos.nemesis;

import java.util.OptionalInt;

/** Leader lookups the workload provides (from client metadata), for leader-targeted faults. */
public interface ClusterView {
  /** Partitions of the workload's topic, numbered from 0. */
  int partitionCount();

  /** Current leader of a partition of the workload's topic, if known. */
  OptionalInt partitionLeader(int partition);

  /** Current leader of the metadata (controller) group, if known. */
  OptionalInt controllerLeader();

  /** A view that never knows: leader faults then pick a random node. */
  ClusterView UNKNOWN =
      new ClusterView() {
        @Override
        public int partitionCount() {
          return 0;
        }

        @Override
        public OptionalInt partitionLeader(int partition) {
          return OptionalInt.empty();
        }

        @Override
        public OptionalInt controllerLeader() {
          return OptionalInt.empty();
        }
      };
}
