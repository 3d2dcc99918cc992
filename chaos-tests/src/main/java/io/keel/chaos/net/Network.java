package io.keel.chaos.net;

import java.util.List;
import java.util.Set;

/**
 * The network between the nodes of one cluster, with fault injection. Node ids are 1..n. Clients in
 * the harness JVM are never partitioned; only node-to-node links are.
 */
public interface Network extends AutoCloseable {

  /** Short name for reports ("netns", "proxy"). */
  String kind();

  NodeAddresses addresses(int node);

  /** The command that runs {@code command} as node {@code node} (e.g. inside its namespace). */
  List<String> wrap(int node, List<String> command);

  /** Makes exactly these directed links drop all traffic; every other link delivers. */
  void partition(Set<Link> blocked);

  boolean supportsDegradation();

  /** Adds delay and loss to every node-to-node link; throws if unsupported. */
  void degrade(Degradation degradation);

  /** Removes every partition and degradation. */
  void heal();

  /** Releases every resource this network created. Idempotent. */
  @Override
  void close();
}
