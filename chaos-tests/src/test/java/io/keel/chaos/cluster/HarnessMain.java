package io.keel.chaos.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A harness JVM for interruption tests: starts a fake-broker cluster and waits to be killed. */
public final class HarnessMain {
  private HarnessMain() {}

  /** Usage: HarnessMain runId NETNS|PROXY workDir. */
  public static void main(String[] args) throws Exception {
    ClusterSpec spec =
        new ClusterSpec(
            2,
            Path.of(args[2]),
            NetworkMode.valueOf(args[1]),
            FakeBroker.class.getName(),
            List.of("-Xmx64m", "-XX:TieredStopAtLevel=1"),
            "always",
            Duration.ofMillis(50),
            Duration.ofSeconds(60),
            false,
            Duration.ZERO);
    ClusterHarness.start(args[0], spec);
    System.out.println("cluster ready");
    System.out.flush();
    Thread.currentThread().join();
  }
}
