package io.keel.chaos.cluster;

/** How nodes are networked: namespaces when possible, else loopback proxies, or forced. */
public enum NetworkMode {
  AUTO,
  NETNS,
  PROXY
}
