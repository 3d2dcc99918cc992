package io.keel.broker.controller;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's {@link MetadataView}. Images arrive from the local metadata state machine (on
 * controllers) and from heartbeat responses (on every node); only newer versions are kept.
 * Listeners run on one notification thread, in version order.
 */
public final class MetadataCache implements MetadataView, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetadataCache.class);

  private final ExecutorService notifier =
      Executors.newSingleThreadExecutor(Thread.ofPlatform().name("metadata-events").factory());
  private final List<Registration> listeners = new CopyOnWriteArrayList<>();
  private final TreeMap<Long, List<CompletableFuture<MetadataImage>>> waiters = new TreeMap<>();
  private volatile MetadataImage image = MetadataImage.EMPTY;
  private volatile Map<Long, PartitionLeader> leaders = Map.of();
  private volatile Map<Integer, Long> lastSeen = Map.of();
  private volatile int controllerLeaderId;
  private final Path imageFile; // null: images are not kept on disk

  /** A cache that keeps nothing on disk (tests). */
  public MetadataCache() {
    this(null);
  }

  /**
   * A cache that starts from the image last kept in {@code imageFile} (see {@link ImageFile}) and
   * keeps every newer image there, so a restarted node knows its partitions and peers before it
   * reaches a controller.
   */
  public MetadataCache(Path imageFile) {
    this.imageFile = imageFile;
    if (imageFile != null) {
      image = ImageFile.load(imageFile);
      if (image.version() > 0) {
        log.info("starting from metadata version {} kept in {}", image.version(), imageFile);
      }
    }
  }

  /** Takes {@code next} if it is newer than the current image; thread-safe. */
  public void offer(MetadataImage next) {
    List<CompletableFuture<MetadataImage>> ready = new ArrayList<>();
    MetadataImage previous;
    synchronized (this) {
      previous = image;
      if (next.version() <= previous.version()) {
        return;
      }
      image = next;
      while (!waiters.isEmpty() && waiters.firstKey() <= next.version()) {
        ready.addAll(waiters.pollFirstEntry().getValue());
      }
      // Submitted under the lock so notifications keep version order.
      notifier.execute(
          () -> {
            listeners.forEach(r -> r.deliver(next));
            keep(next);
          });
    }
    ready.forEach(f -> f.complete(next));
  }

  /** Writes {@code next} to the image file unless a newer image has arrived meanwhile. */
  private void keep(MetadataImage next) {
    if (imageFile == null || image != next) {
      return;
    }
    try {
      ImageFile.save(imageFile, next);
    } catch (IOException e) {
      log.warn("cannot keep metadata version {} in {}", next.version(), imageFile, e);
    }
  }

  /** A listener and the last image it saw: each listener sees strictly increasing versions. */
  private static final class Registration {
    private final MetadataListener listener;
    private MetadataImage delivered = MetadataImage.EMPTY; // notifier thread only

    Registration(MetadataListener listener) {
      this.listener = listener;
    }

    void deliver(MetadataImage next) {
      if (next.version() <= delivered.version() && delivered != MetadataImage.EMPTY) {
        return;
      }
      MetadataImage previous = delivered;
      delivered = next;
      try {
        listener.onMetadataChange(previous, next);
      } catch (RuntimeException e) {
        log.error("metadata listener failed on version {}", next.version(), e);
      }
    }
  }

  /**
   * Folds leaders reported by the controller into the known ones, keeping per group the one with
   * the higher term (the report on a tie). A controller that has just taken over knows only the
   * nodes that heartbeated since, so a report missing a group must not make its leader unknown.
   * Groups of topics no longer in the image are dropped.
   */
  public synchronized void mergePartitionLeaders(Map<Long, PartitionLeader> reported) {
    Map<Long, PartitionLeader> next = new HashMap<>(leaders);
    reported.forEach(
        (group, leader) ->
            next.merge(
                group, leader, (known, fresh) -> fresh.term() >= known.term() ? fresh : known));
    MetadataImage current = image;
    next.keySet().removeIf(group -> !current.hasGroup(group));
    leaders = Map.copyOf(next);
  }

  public void setLastSeenMsAgo(Map<Integer, Long> value) {
    lastSeen = Map.copyOf(value);
  }

  public void setControllerLeaderId(int nodeId) {
    controllerLeaderId = nodeId;
  }

  @Override
  public MetadataImage image() {
    return image;
  }

  @Override
  public Map<Long, PartitionLeader> partitionLeaders() {
    return leaders;
  }

  @Override
  public int controllerLeaderId() {
    return controllerLeaderId;
  }

  @Override
  public Map<Integer, Long> lastSeenMsAgo() {
    return lastSeen;
  }

  @Override
  public synchronized CompletableFuture<MetadataImage> awaitVersion(long version) {
    if (image.version() >= version) {
      return CompletableFuture.completedFuture(image);
    }
    CompletableFuture<MetadataImage> f = new CompletableFuture<>();
    waiters.computeIfAbsent(version, v -> new ArrayList<>()).add(f);
    return f;
  }

  @Override
  public void addListener(MetadataListener listener) {
    Registration registration = new Registration(listener);
    synchronized (this) {
      MetadataImage current = image;
      notifier.execute(
          () -> {
            registration.deliver(current);
            listeners.add(registration);
          });
    }
  }

  @Override
  public void removeListener(MetadataListener listener) {
    notifier.execute(() -> listeners.removeIf(r -> r.listener == listener));
  }

  @Override
  public void close() {
    notifier.shutdownNow();
  }
}
