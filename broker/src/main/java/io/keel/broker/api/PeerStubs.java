package io.keel.broker.api;

import io.keel.broker.transport.PeerChannels;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.KeelClientGrpc.KeelClientFutureStub;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Client-API stubs to other nodes, one channel per client address, for requests a node answers by
 * asking the partitions' leaders (DescribeTopics). Thread-safe.
 */
public final class PeerStubs implements AutoCloseable {
  private final PeerChannels channels = new PeerChannels();

  /** A stub for one call to {@code hostPort} with the given deadline. */
  KeelClientFutureStub stub(String hostPort, Duration timeout) {
    return KeelClientGrpc.newFutureStub(channels.get(hostPort))
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    channels.close();
  }
}
