package io.keel.chaos.cluster;

import com.sun.net.httpserver.HttpServer;
import java.io.FileReader;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * Stands in for io.keel.broker.BrokerMain in harness tests: reads the same config, listens on the
 * broker and HTTP addresses, answers /health/ready, and appends a line to data.dir/starts.
 */
public final class FakeBroker {
  private FakeBroker() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !args[0].equals("--config")) {
      throw new IllegalArgumentException("usage: FakeBroker --config FILE");
    }
    Properties p = new Properties();
    try (Reader r = new FileReader(args[1], StandardCharsets.UTF_8)) {
      p.load(r);
    }
    Path data = Path.of(p.getProperty("data.dir"));
    Files.createDirectories(data);
    Files.writeString(
        data.resolve("starts"), "start\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    ServerSocket broker = new ServerSocket();
    broker.setReuseAddress(true);
    broker.bind(address(p.getProperty("listen.address")));
    HttpServer http = HttpServer.create(address(p.getProperty("http.address")), 10);
    byte[] id = p.getProperty("node.id").getBytes(StandardCharsets.UTF_8);
    http.createContext(
        "/health/ready",
        ex -> {
          ex.sendResponseHeaders(200, id.length);
          ex.getResponseBody().write(id);
          ex.close();
        });
    http.start();
    System.out.println("fake broker " + p.getProperty("node.id") + " up");
    while (true) {
      Socket s = broker.accept();
      s.close();
    }
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
