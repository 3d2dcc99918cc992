package io.keel.broker.transport;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.keel.proto.RaftBatch;
import io.keel.proto.RaftTransportGrpc;
import io.keel.raft.Entry;
import io.keel.raft.Message;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound half of the connection to one peer: a queue bounded in messages and bytes, drained
 * by one sender thread into a single long-lived Exchange stream. gRPC flow control is the
 * back-pressure: the sender writes a frame only when the stream is ready and otherwise waits, so
 * messages accumulate in the queue (and are then sent in larger frames) rather than inside gRPC.
 * Messages are dropped only when the queue is full or the peer is unreachable (Raft retransmits);
 * the stream is reopened with exponential backoff, cut short when the peer is heard from again (a
 * restarted peer opens its own stream at once, so its followers hear from their leaders within a
 * heartbeat, not after the leaders' backoff). Every stream starts with an empty frame, the hello,
 * which is what the peer hears.
 */
final class PeerLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerLink.class);
  private static final long MAX_FRAME_BYTES = 4L << 20;
  private static final Duration MIN_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
  private static final long POLL_MS = 100;

  private final int localId;
  private final int peerId;
  private final String clusterId;
  private final PeerDirectory directory;
  private final ArrayBlockingQueue<Message> queue;
  private final long queueCapacityBytes;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Object readyMonitor = new Object();
  private final Duration minBackoff;
  private final Duration maxBackoff;
  // Frames received from the peer (any stream); a change since our stream broke means it is back.
  private final AtomicLong heard = new AtomicLong();
  private final Semaphore heardSignal = new Semaphore(0);
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean openRequested;
  private volatile long heardWhenBroken;

  private ManagedChannel channel;
  private String channelAddress;
  private ClientCallStreamObserver<RaftBatch> stream;
  private volatile boolean streamBroken;
  private long streamOpenedNanos;
  private Duration backoff;

  PeerLink(
      int localId,
      int peerId,
      String clusterId,
      PeerDirectory directory,
      int queueCapacity,
      long queueCapacityBytes) {
    this(
        localId,
        peerId,
        clusterId,
        directory,
        queueCapacity,
        queueCapacityBytes,
        MIN_BACKOFF,
        MAX_BACKOFF);
  }

  PeerLink(
      int localId,
      int peerId,
      String clusterId,
      PeerDirectory directory,
      int queueCapacity,
      long queueCapacityBytes,
      Duration minBackoff,
      Duration maxBackoff) {
    this.minBackoff = minBackoff;
    this.maxBackoff = maxBackoff;
    this.backoff = minBackoff;
    this.localId = localId;
    this.peerId = peerId;
    this.clusterId = clusterId;
    this.directory = directory;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.queueCapacityBytes = queueCapacityBytes;
    this.thread =
        Thread.ofVirtual().name("raft-peer-" + localId + "-to-" + peerId).unstarted(this::run);
    thread.start();
  }

  /** Queues messages without blocking; drops those that do not fit (in count or in bytes). */
  void offer(List<Message> messages) {
    for (Message m : messages) {
      long bytes = estimateBytes(m);
      long queued = queuedBytes.addAndGet(bytes);
      if (queued > queueCapacityBytes && queued != bytes) { // one message always fits
        queuedBytes.addAndGet(-bytes);
        dropped.incrementAndGet();
      } else if (!queue.offer(m)) {
        queuedBytes.addAndGet(-bytes);
        dropped.incrementAndGet();
      }
    }
  }

  private Message poll() {
    Message m = queue.poll();
    if (m != null) {
      queuedBytes.addAndGet(-estimateBytes(m));
    }
    return m;
  }

  long droppedMessages() {
    return dropped.get();
  }

  /** Opens the stream now (sending the hello) rather than on the first message. */
  void open() {
    openRequested = true;
  }

  /** A frame from the peer arrived: it is up, so a backoff towards it ends now. */
  void heardFromPeer() {
    heard.incrementAndGet();
    if (streamBroken && heardSignal.availablePermits() == 0) { // only a backoff waits for it
      heardSignal.release();
    }
  }

  private void run() {
    try {
      while (running) {
        if (openRequested) {
          openRequested = false;
          streamOrNull();
        }
        Message first = queue.poll(POLL_MS, TimeUnit.MILLISECONDS);
        if (first != null) {
          queuedBytes.addAndGet(-estimateBytes(first));
          sendFrame(first);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeStream();
    }
  }

  /**
   * Waits until gRPC can take a frame, then sends {@code first} with whatever queued meanwhile. The
   * frame is built only once the stream is ready, so what waits, waits in the bounded queue.
   */
  private void sendFrame(Message first) throws InterruptedException {
    ClientCallStreamObserver<RaftBatch> out = streamOrNull();
    if (out == null) {
      dropped.incrementAndGet();
      return;
    }
    if (!awaitReady(out)) {
      dropped.incrementAndGet(); // the stream broke or the link is closing
      return;
    }
    RaftBatch.Builder frame =
        RaftBatch.newBuilder().setFrom(localId).setTo(peerId).setClusterId(clusterId);
    long bytes = 0;
    Message m = first;
    while (m != null) {
      RaftMessageCodec.encode(m, frame);
      bytes += estimateBytes(m);
      m = bytes < MAX_FRAME_BYTES ? poll() : null;
    }
    try {
      out.onNext(frame.build());
    } catch (RuntimeException e) {
      log.debug("raft stream to node {} failed: {}", peerId, e.toString());
      markBroken();
    }
  }

  /** The open stream, opening it if needed; null (frame dropped) while backing off. */
  private ClientCallStreamObserver<RaftBatch> streamOrNull() throws InterruptedException {
    if (stream != null && !streamBroken) {
      return stream;
    }
    if (stream != null) {
      closeStream();
      // A stream that lived long was healthy: reconnect quickly. Otherwise back off further.
      boolean wasHealthy = System.nanoTime() - streamOpenedNanos > maxBackoff.toNanos();
      backoff = wasHealthy ? minBackoff : min(backoff.multipliedBy(2), maxBackoff);
      backOff();
      queue.clear(); // what queued while the peer was unreachable is stale; Raft resends
      queuedBytes.set(0);
    }
    Optional<String> address = directory.addressOf(peerId);
    if (address.isEmpty()) {
      return null;
    }
    if (channel == null || !address.get().equals(channelAddress)) {
      if (channel != null) {
        channel.shutdownNow();
      }
      channel = Grpc.newChannelBuilder(address.get(), InsecureChannelCredentials.create()).build();
      channelAddress = address.get();
    } else {
      // The channel's own reconnect backoff grows to minutes; ours (above) is the one that counts.
      channel.resetConnectBackoff();
    }
    streamBroken = false;
    streamOpenedNanos = System.nanoTime();
    RaftTransportGrpc.newStub(channel).exchange(new ResponseObserver());
    try {
      stream.onNext(
          RaftBatch.newBuilder().setFrom(localId).setTo(peerId).setClusterId(clusterId).build());
    } catch (RuntimeException e) {
      log.debug("hello to node {} failed: {}", peerId, e.toString());
      markBroken();
    }
    return stream;
  }

  /**
   * Waits {@link #backoff} before reopening, or only {@code minBackoff} once the peer has been
   * heard from since the stream broke: then it is up again (restarted), and the backoff starts
   * over.
   */
  private void backOff() throws InterruptedException {
    long deadline = System.nanoTime() + backoff.toNanos();
    Thread.sleep(minBackoff.toMillis());
    heardSignal.drainPermits();
    while (heard.get() == heardWhenBroken) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      heardSignal.tryAcquire(left, TimeUnit.NANOSECONDS);
    }
    backoff = minBackoff;
  }

  /**
   * Waits for gRPC flow control to accept a frame (its onReady handler signals); false if the
   * stream broke or the link is closing. A paused or slow peer thus stalls only this link, whose
   * queue then fills and drops; no frame is buffered without bound inside gRPC.
   */
  private boolean awaitReady(ClientCallStreamObserver<RaftBatch> out) throws InterruptedException {
    synchronized (readyMonitor) {
      while (!out.isReady() && !streamBroken && running) {
        readyMonitor.wait(POLL_MS);
      }
    }
    return !streamBroken && running;
  }

  private void markBroken() {
    if (!streamBroken) {
      heardWhenBroken = heard.get();
    }
    streamBroken = true;
  }

  private void closeStream() {
    if (stream != null) {
      try {
        stream.onCompleted();
      } catch (RuntimeException e) {
        log.trace("closing raft stream to node {}: {}", peerId, e.toString());
      }
      stream = null;
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static long estimateBytes(Message m) {
    return switch (m) {
      case Message.AppendRequest a -> 64 + a.entries().stream().mapToLong(Entry::sizeBytes).sum();
      case Message.SnapshotChunk c -> 64 + c.data().length;
      case Message.VoteRequest v -> 48;
      case Message.VoteResponse v -> 32;
      case Message.AppendResponse a -> 48;
      case Message.HeartbeatRequest h -> 32;
      case Message.HeartbeatResponse h -> 24;
      case Message.SnapshotResponse r -> 40;
      case Message.TimeoutNow t -> 24;
    };
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (channel != null) {
      channel.shutdownNow();
    }
  }

  /** Learns of readiness and failure of the outbound stream; the peer never writes frames back. */
  private final class ResponseObserver implements ClientResponseObserver<RaftBatch, RaftBatch> {
    @Override
    public void beforeStart(ClientCallStreamObserver<RaftBatch> requestStream) {
      stream = requestStream;
      requestStream.setOnReadyHandler(this::signal);
    }

    @Override
    public void onNext(RaftBatch value) {}

    @Override
    public void onError(Throwable t) {
      log.debug("raft stream to node {} closed: {}", peerId, t.toString());
      markBroken();
      signal();
    }

    @Override
    public void onCompleted() {
      markBroken();
      signal();
    }

    private void signal() {
      synchronized (readyMonitor) {
        readyMonitor.notifyAll();
      }
    }
  }
}
