package io.keel.broker.transport;

import io.keel.broker.raft.MessageSender;
import io.keel.raft.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sending side of the Raft transport: one {@link PeerLink} (one stream) per peer, created on first
 * use. Each call groups messages by destination so a peer's frame carries every group's messages.
 */
public final class GrpcRaftTransport implements MessageSender, AutoCloseable {
  // Bounds what waits for one peer's stream: a few dozen maximal appends.
  private static final long QUEUE_CAPACITY_BYTES = 64L << 20;
  private final int nodeId;
  private final String clusterId;
  private final PeerDirectory directory;
  private final int queueCapacityMessages;
  private final Map<Integer, PeerLink> links = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public GrpcRaftTransport(
      int nodeId, String clusterId, PeerDirectory directory, int queueCapacityMessages) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.directory = directory;
    this.queueCapacityMessages = queueCapacityMessages;
  }

  @Override
  public void send(List<Message> messages) {
    if (closed) {
      return;
    }
    Map<Integer, List<Message>> byPeer = new HashMap<>();
    for (Message m : messages) {
      byPeer.computeIfAbsent(m.to(), to -> new ArrayList<>()).add(m);
    }
    byPeer.forEach((peer, batch) -> link(peer).offer(batch));
  }

  /**
   * Opens the streams to {@code peers} now, each starting with a hello, so that peers backing off
   * towards this (restarted) node reconnect at once instead of after their backoff.
   */
  public void connect(Collection<Integer> peers) {
    if (closed) {
      return;
    }
    peers.stream().filter(peer -> peer != nodeId).forEach(peer -> link(peer).open());
  }

  /** A frame from {@code peerId} arrived: a backoff towards it ends now. */
  public void heardFrom(int peerId) {
    PeerLink link = links.get(peerId);
    if (link != null) {
      link.heardFromPeer();
    }
  }

  /** Messages dropped so far: a peer's queue was full or its stream was down. */
  public long droppedMessages() {
    return links.values().stream().mapToLong(PeerLink::droppedMessages).sum();
  }

  private PeerLink link(int peerId) {
    return links.computeIfAbsent(
        peerId,
        id ->
            new PeerLink(
                nodeId, id, clusterId, directory, queueCapacityMessages, QUEUE_CAPACITY_BYTES));
  }

  @Override
  public void close() {
    closed = true;
    links.values().forEach(PeerLink::close);
    links.clear();
  }
}
