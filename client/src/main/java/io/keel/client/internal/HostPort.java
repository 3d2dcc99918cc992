package io.keel.client.internal;

/** A node address. */
public record HostPort(String host, int port) {
  public HostPort {
    Checks.arg(host != null && !host.isBlank(), "host must not be blank");
    Checks.arg(port > 0 && port <= 65535, "port must be in 1..65535, was %s", port);
  }

  /** Parses "host:port" (IPv6 hosts in brackets: "[::1]:9092"). */
  public static HostPort parse(String s) {
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("'" + s + "' is not host:port");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("'" + s + "': put an IPv6 host in brackets, [::1]:9092");
    }
    if (host.chars().anyMatch(c -> c == ',' || Character.isWhitespace(c))) {
      throw new IllegalArgumentException("'" + s + "' is not one host:port");
    }
    try {
      return new HostPort(host, Integer.parseInt(s.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + s + "' has a non-numeric port");
    }
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
