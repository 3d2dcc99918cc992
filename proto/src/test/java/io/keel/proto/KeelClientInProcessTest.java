package io.keel.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Generated services and messages survive a real gRPC round trip (in-process transport). */
class KeelClientInProcessTest {
  private static final MetadataResponse METADATA =
      MetadataResponse.newBuilder()
          .setClusterId("keel-test")
          .setControllerId(1)
          .addNodes(Node.newBuilder().setId(1).setHost("127.0.0.1").setPort(9092).setRack("r1"))
          .addNodes(Node.newBuilder().setId(2).setHost("127.0.0.1").setPort(9093))
          .addTopics(
              TopicMetadata.newBuilder()
                  .setName("orders")
                  .addPartitions(
                      PartitionMetadata.newBuilder()
                          .setPartition(0)
                          .setLeaderId(2)
                          .setLeaderEpoch(7)
                          .addAllReplicas(List.of(1, 2))
                          .addAllInSyncReplicas(List.of(2))))
          .build();

  private final String name = InProcessServerBuilder.generateName();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(new MetadataOnly())
            .addService(new EchoRaft())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void metadataRoundTrip() {
    MetadataResponse response =
        KeelClientGrpc.newBlockingStub(channel)
            .metadata(MetadataRequest.newBuilder().addTopics("orders").build());

    assertEquals(METADATA, response);
    assertEquals("r1", response.getNodes(0).getRack());
    assertFalse(response.getNodes(1).hasRack());
  }

  @Test
  void unimplementedRpcFailsWithStatus() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                KeelClientGrpc.newBlockingStub(channel)
                    .listTopics(ListTopicsRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
  }

  @Test
  void raftExchangeCarriesManyGroupsPerFrame() throws Exception {
    RaftBatch frame =
        RaftBatch.newBuilder()
            .setFrom(1)
            .setTo(2)
            .setClusterId("keel-test")
            .addMessages(
                RaftMessage.newBuilder()
                    .setGroupId(10)
                    .setTerm(3)
                    .setAppendRequest(
                        AppendRequest.newBuilder()
                            .setPrevLogIndex(4)
                            .setPrevLogTerm(2)
                            .setLeaderCommit(4)
                            .addEntries(
                                Entry.newBuilder()
                                    .setTerm(3)
                                    .setIndex(5)
                                    .setType(EntryType.ENTRY_TYPE_NORMAL)
                                    .setData(ByteString.copyFromUtf8("x")))))
            .addHeartbeats(GroupHeartbeat.newBuilder().setGroupId(11).setTerm(3).setReadContext(9))
            .addHeartbeats(GroupHeartbeat.newBuilder().setGroupId(12).setTerm(5))
            .build();
    List<RaftBatch> received = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<RaftBatch> out =
        RaftTransportGrpc.newStub(channel)
            .exchange(
                new StreamObserver<>() {
                  @Override
                  public void onNext(RaftBatch value) {
                    received.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                });
    out.onNext(frame);
    out.onCompleted();
    done.get(5, TimeUnit.SECONDS);

    assertEquals(List.of(frame), received);
  }

  private static final class MetadataOnly extends KeelClientGrpc.KeelClientImplBase {
    @Override
    public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> observer) {
      observer.onNext(METADATA);
      observer.onCompleted();
    }
  }

  private static final class EchoRaft extends RaftTransportGrpc.RaftTransportImplBase {
    @Override
    public StreamObserver<RaftBatch> exchange(StreamObserver<RaftBatch> responses) {
      return new StreamObserver<>() {
        @Override
        public void onNext(RaftBatch value) {
          responses.onNext(value);
        }

        @Override
        public void onError(Throwable t) {
          responses.onError(t);
        }

        @Override
        public void onCompleted() {
          responses.onCompleted();
        }
      };
    }
  }
}
