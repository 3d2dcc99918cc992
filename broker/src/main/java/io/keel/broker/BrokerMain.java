package io.keel.broker;

import io.keel.broker.config.BrokerConfig;
import io.keel.broker.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one node: {@code BrokerMain --config FILE [--set key=value]...}. SIGTERM triggers a
 * controlled shutdown; a line "keel node N ready" is logged once the node serves.
 */
public final class BrokerMain {
  private static final Logger log = LoggerFactory.getLogger(BrokerMain.class);
  private static final long READY_POLL_MS = 20;

  private BrokerMain() {}

  public static void main(String[] args) {
    Optional<Path> configPath = Optional.empty();
    Map<String, String> overrides = new LinkedHashMap<>();
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--config" -> configPath = Optional.of(Path.of(value(args, ++i, "--config")));
          case "--set" -> {
            String kv = value(args, ++i, "--set");
            int eq = kv.indexOf('=');
            if (eq <= 0) {
              throw new ConfigException("--set", "expects key=value, was '" + kv + "'");
            }
            overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
          default ->
              throw new ConfigException(
                  args[i], "unknown argument; use --config FILE " + "and --set key=value");
        }
      }
      System.exit(run(configPath.orElse(null), overrides));
    } catch (ConfigException e) {
      System.err.println("keel broker: invalid configuration: " + e.getMessage());
      System.exit(2);
    }
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new ConfigException(flag, "needs a value");
    }
    return args[i];
  }

  /**
   * Starts a node from a config file (may be null: environment and overrides only) and blocks until
   * it stops. Returns the process exit code: 0 after a shutdown, 1 after a fatal error.
   *
   * @throws ConfigException naming the key if the configuration is invalid
   */
  public static int run(Path configPath, Map<String, String> overrides) {
    BrokerConfig config = BrokerConfig.load(Optional.ofNullable(configPath), overrides);
    Broker broker = Broker.create(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              broker.shutdown(config.controlledShutdownTimeout());
              stopped.countDown();
            },
            "keel-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    broker.start();
    awaitReadyAndLog(broker);
    boolean[] failed = {false};
    broker
        .fatalError()
        .thenRun(
            () -> {
              failed[0] = true;
              broker.close();
              stopped.countDown();
            });
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return failed[0] ? 1 : 0;
  }

  private static void awaitReadyAndLog(Broker broker) {
    long start = System.nanoTime();
    while (!broker.isReady() && !broker.fatalError().isDone()) {
      try {
        Thread.sleep(READY_POLL_MS); // readiness poll before the one-time ready log line
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (broker.isReady()) {
      log.info(
          "keel node {} ready in {} ms: client {}, http port {}",
          broker.nodeId(),
          Duration.ofNanos(System.nanoTime() - start).toMillis(),
          broker.clientAddress(),
          broker.httpPort());
    }
  }
}
