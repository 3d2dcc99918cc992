package io.keel.broker.transport;

import java.util.Optional;

/** Where to reach another node's internal (Raft and controller) endpoint, as {@code host:port}. */
@FunctionalInterface
public interface PeerDirectory {
  Optional<String> addressOf(int nodeId);
}
