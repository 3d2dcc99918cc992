package io.keel.chaos.net;

import java.util.Map;

/**
 * Where one node listens and how it reaches the others, as host:port strings.
 *
 * @param listen broker (gRPC) listen address
 * @param advertised what clients in the harness JVM connect to
 * @param http metrics and health endpoint
 * @param peers other node id -> address this node uses to reach that node's broker port
 */
public record NodeAddresses(
    String listen, String advertised, String http, Map<Integer, String> peers) {
  public NodeAddresses {
    peers = Map.copyOf(peers);
  }
}
