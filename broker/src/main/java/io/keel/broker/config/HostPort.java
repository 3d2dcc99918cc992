package io.keel.broker.config;

/** A {@code host:port} endpoint; IPv6 hosts are written in brackets. */
public record HostPort(String host, int port) {

  /** Parses {@code host:port}; throws IllegalArgumentException describing the problem. */
  public static HostPort parse(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new IllegalArgumentException("must be host:port, was '" + value + "'");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port must be a number, was '" + value + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    return new HostPort(host, port);
  }

  public boolean wildcard() {
    return host.equals("0.0.0.0") || host.equals("::") || host.isEmpty();
  }

  public HostPort withPort(int newPort) {
    return new HostPort(host, newPort);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
