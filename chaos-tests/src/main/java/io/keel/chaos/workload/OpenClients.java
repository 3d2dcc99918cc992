package io.keel.chaos.workload;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Clients a workload opened; closing them all forgets them, so closing twice is harmless. */
final class OpenClients {
  private static final Logger log = LoggerFactory.getLogger(OpenClients.class);

  private final List<AutoCloseable> clients = new ArrayList<>();

  /** Remembers {@code client} for {@link #closeAll()} and returns it. */
  synchronized <T extends AutoCloseable> T track(T client) {
    clients.add(client);
    return client;
  }

  /** Closes every tracked client, logging (not throwing) failures: the run's history is done. */
  synchronized void closeAll() {
    for (AutoCloseable c : clients) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("closing {}: {}", c, e.toString());
      }
    }
    clients.clear();
  }
}
