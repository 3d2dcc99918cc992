package io.keel.broker.transport;

import io.grpc.stub.StreamObserver;
import io.keel.proto.RaftBatch;
import io.keel.proto.RaftTransportGrpc;
import io.keel.raft.Message;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receiving end of the Raft transport: each peer keeps one long-lived Exchange stream open to this
 * node and writes frames of many groups' messages into it. Frames are decoded and handed to the
 * runtime; nothing is written back (responses travel on this node's own stream to the peer).
 */
public final class RaftTransportService extends RaftTransportGrpc.RaftTransportImplBase {
  private static final Logger log = LoggerFactory.getLogger(RaftTransportService.class);

  private final int nodeId;
  private final String clusterId;
  private final Consumer<List<Message>> sink;
  private final IntConsumer heardFrom;

  public RaftTransportService(int nodeId, String clusterId, Consumer<List<Message>> sink) {
    this(nodeId, clusterId, sink, peer -> {});
  }

  /** {@code heardFrom} learns of every valid frame's sender, hellos (empty frames) included. */
  public RaftTransportService(
      int nodeId, String clusterId, Consumer<List<Message>> sink, IntConsumer heardFrom) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.sink = sink;
    this.heardFrom = heardFrom;
  }

  @Override
  public StreamObserver<RaftBatch> exchange(StreamObserver<RaftBatch> responses) {
    return new StreamObserver<>() {
      @Override
      public void onNext(RaftBatch frame) {
        receive(frame);
      }

      @Override
      public void onError(Throwable t) {
        log.debug("raft stream from a peer ended: {}", t.toString());
      }

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }

  private void receive(RaftBatch frame) {
    if (!frame.getClusterId().equals(clusterId) || frame.getTo() != nodeId) {
      log.warn(
          "dropping raft frame for cluster '{}' node {} from node {}: this is cluster '{}' node {}",
          frame.getClusterId(),
          frame.getTo(),
          frame.getFrom(),
          clusterId,
          nodeId);
      return;
    }
    heardFrom.accept(frame.getFrom());
    List<Message> messages;
    try {
      messages = RaftMessageCodec.decode(frame);
    } catch (IllegalArgumentException e) {
      log.warn("dropping malformed raft frame from node {}: {}", frame.getFrom(), e.getMessage());
      return;
    }
    if (!messages.isEmpty()) {
      sink.accept(messages);
    }
  }
}
