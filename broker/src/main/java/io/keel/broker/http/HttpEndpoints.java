package io.keel.broker.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.keel.broker.config.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The node's HTTP endpoints: {@code /metrics} (Prometheus text), {@code /health/live} (200 while
 * the process runs) and {@code /health/ready} (200 once registered with the controller and caught
 * up on metadata, 503 before).
 */
public final class HttpEndpoints implements AutoCloseable {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor =
      Executors.newFixedThreadPool(2, Thread.ofPlatform().name("http", 0).daemon().factory());

  public HttpEndpoints(HostPort address, Supplier<String> metrics, BooleanSupplier ready) {
    try {
      server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the HTTP server to " + address, e);
    }
    server.setExecutor(executor);
    server.createContext(
        "/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, metrics.get()));
    server.createContext(
        "/health/live", exchange -> respond(exchange, 200, "text/plain", "live\n"));
    server.createContext(
        "/health/ready",
        exchange -> {
          boolean isReady = ready.getAsBoolean();
          respond(exchange, isReady ? 200 : 503, "text/plain", isReady ? "ready\n" : "not ready\n");
        });
  }

  public void start() {
    server.start();
  }

  /** The bound port (useful when configured as 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
