package io.keel.chaos.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client threads of one workload: started together, stopped together. */
final class Workers {
  private static final Logger log = LoggerFactory.getLogger(Workers.class);

  private final String name;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  Workers(String name) {
    this.name = name;
  }

  boolean running() {
    return running;
  }

  synchronized void start(Runnable worker) {
    threads.add(Thread.ofPlatform().name(name + "-" + threads.size()).daemon(true).start(worker));
  }

  /** Asks every worker to finish its operation in flight and waits up to {@code timeout}. */
  synchronized void stop(Duration timeout) throws InterruptedException {
    running = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      t.join(leftMs);
      if (t.isAlive()) {
        log.warn("{} still busy after {}; its operation stays open (INFO)", t.getName(), timeout);
      }
    }
  }

  void abort() {
    running = false;
  }
}
