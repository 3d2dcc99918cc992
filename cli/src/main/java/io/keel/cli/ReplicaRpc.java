package io.keel.cli;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.keel.proto.KeelReplicaGrpc;
import io.keel.proto.ListReplicaFaultsRequest;
import io.keel.proto.ListReplicaFaultsResponse;
import io.keel.proto.RebuildRequest;
import io.keel.proto.RebuildResponse;
import java.util.concurrent.TimeUnit;

/** One node's {@code KeelReplica} service on its client address (operator calls). */
final class ReplicaRpc implements AutoCloseable {
  private static final long DEADLINE_MS = 5_000;
  private final ManagedChannel channel;

  ReplicaRpc(String host, int port) {
    this.channel =
        Grpc.newChannelBuilder(host + ":" + port, InsecureChannelCredentials.create()).build();
  }

  ListReplicaFaultsResponse faults() {
    return stub().listReplicaFaults(ListReplicaFaultsRequest.getDefaultInstance());
  }

  RebuildResponse rebuild(String topic, int partition) {
    return stub()
        .rebuild(RebuildRequest.newBuilder().setTopic(topic).setPartition(partition).build());
  }

  private KeelReplicaGrpc.KeelReplicaBlockingStub stub() {
    return KeelReplicaGrpc.newBlockingStub(channel)
        .withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
