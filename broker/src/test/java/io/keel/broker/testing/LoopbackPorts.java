package io.keel.broker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for nodes that must know each other's ports before any of them binds. A port the
 * kernel hands out for {@code bind(0)} comes from the ephemeral range, which is also where every
 * outgoing connection takes its local port: between the pick and the bind, a node that started
 * first could connect out from the very port reserved for the next one ("Address already in use").
 * So ports are taken below that range, where no outgoing connection lands.
 */
public final class LoopbackPorts {
  private static final int LOWEST = 10_000;

  private LoopbackPorts() {}

  /** {@code n} distinct ports that were free a moment ago, all below the ephemeral range. */
  public static int[] reserve(int n) {
    int ceiling = ephemeralLow();
    int span = ceiling - LOWEST;
    int start = LOWEST + ThreadLocalRandom.current().nextInt(span);
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] out = new int[n];
      int found = 0;
      for (int i = 0; i < span && found < n; i++) {
        int port = LOWEST + (start - LOWEST + i) % span;
        try {
          held.add(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
          out[found++] = port;
        } catch (IOException taken) {
          // in use: try the next one
        }
      }
      if (found < n) {
        throw new IllegalStateException(
            "only "
                + found
                + " of "
                + n
                + " loopback ports free in ["
                + LOWEST
                + ", "
                + ceiling
                + ")");
      }
      return out;
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Math.max(LOWEST + 1000, Integer.parseInt(range.split("\\s+")[0]));
    } catch (IOException | RuntimeException e) {
      return 32_768; // Linux's default
    }
  }
}
