package io.keel.broker.api;

import io.keel.broker.api.LeaderResolver.Leader;
import io.keel.broker.controller.BrokerInfo;
import io.keel.broker.controller.MetadataImage;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.controller.TopicInfo;
import io.keel.broker.partition.PartitionManager;
import io.keel.broker.partition.PartitionReplica;
import io.keel.proto.DescribeTopicsRequest;
import io.keel.proto.DescribeTopicsResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.keel.proto.PartitionDescription;
import io.keel.proto.TopicDescription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeTopics. A partition led here is described from its live state: offsets read on the
 * partition's loop, each replica's lag from the Raft group (entries behind the commit index; in
 * sync when 0). For the other partitions this node asks each leader ({@code leader_only}) and
 * merges the answers, so any node answers for every partition; a leader that is unknown or does not
 * answer leaves its partitions with an error and offsets -1.
 */
final class TopicDescriber {
  private static final Duration PEER_TIMEOUT = Duration.ofSeconds(2);

  /** What a partition's leader reports. */
  private record Live(
      long logStart,
      long logEnd,
      long highWatermark,
      List<Integer> inSync,
      Map<Integer, Long> lag) {}

  private final int nodeId;
  private final PartitionManager partitions;
  private final MetadataView metadata;
  private final LeaderResolver leaders;
  private final ErrorDetails errors;
  private final PeerStubs peers;

  TopicDescriber(
      int nodeId,
      PartitionManager partitions,
      MetadataView metadata,
      LeaderResolver leaders,
      ErrorDetails errors,
      PeerStubs peers) {
    this.nodeId = nodeId;
    this.partitions = partitions;
    this.metadata = metadata;
    this.leaders = leaders;
    this.errors = errors;
    this.peers = peers;
  }

  CompletableFuture<DescribeTopicsResponse> describe(DescribeTopicsRequest request) {
    MetadataImage image = metadata.image();
    List<String> names =
        request.getTopicsList().isEmpty()
            ? List.copyOf(image.topics().keySet())
            : request.getTopicsList();
    Map<String, TopicDescription.Builder> topics = new LinkedHashMap<>();
    List<CompletableFuture<Runnable>> fills = new ArrayList<>();
    Map<Integer, TreeSet<String>> remote = new TreeMap<>();
    for (String name : names) {
      Optional<TopicInfo> topic = image.topic(name);
      if (topic.isEmpty()) {
        topics.put(name, TopicDescription.newBuilder().setName(name).setError(unknown(name)));
        continue;
      }
      TopicDescription.Builder t = skeleton(topic.get());
      topics.put(name, t);
      for (int p = 0; p < topic.get().partitions(); p++) {
        PartitionDescription.Builder d = t.getPartitionsBuilder(p);
        Optional<PartitionReplica> local = partitions.replica(name, p);
        if (local.isPresent() && local.get().isLeader()) {
          List<Integer> replicas = topic.get().replicas(p);
          fills.add(live(local.get(), replicas).thenApply(l -> () -> fill(d, l)));
        } else if (request.getLeaderOnly()) {
          d.setError(errors.notLeader(name + "-" + p, leaders.leaderOf(topic.get(), p)));
        } else if (d.getLeaderId() > 0 && d.getLeaderId() != nodeId) {
          remote.computeIfAbsent(d.getLeaderId(), id -> new TreeSet<>()).add(name);
        } else {
          d.setError(ErrorDetails.of(ErrorCode.LEADER_NOT_AVAILABLE, "no leader is known"));
        }
      }
    }
    remote.forEach((leader, asked) -> fills.add(askLeader(leader, asked, topics)));
    return CompletableFuture.allOf(fills.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              fills.forEach(f -> f.join().run());
              DescribeTopicsResponse.Builder b = DescribeTopicsResponse.newBuilder();
              topics.values().forEach(b::addTopics);
              return b.build();
            });
  }

  private TopicDescription.Builder skeleton(TopicInfo topic) {
    TopicDescription.Builder t =
        TopicDescription.newBuilder()
            .setName(topic.name())
            .setReplicationFactor(topic.replicationFactor())
            .putAllConfigs(topic.configs());
    for (int p = 0; p < topic.partitions(); p++) {
      Leader leader = leaders.leaderOf(topic, p);
      t.addPartitions(
          PartitionDescription.newBuilder()
              .setPartition(p)
              .setLeaderId(leader.nodeId())
              .setLeaderEpoch(leader.epoch())
              .addAllReplicas(topic.replicas(p))
              .setLogStartOffset(-1)
              .setLogEndOffset(-1)
              .setHighWatermark(-1));
    }
    return t;
  }

  private CompletableFuture<Live> live(PartitionReplica replica, List<Integer> replicas) {
    return replica.onLoop(
        sm -> {
          long commit = replica.commitIndex();
          Map<Integer, Long> match = replica.followerMatchIndexes();
          Map<Integer, Long> lag = new TreeMap<>();
          List<Integer> inSync = new ArrayList<>();
          for (int id : replicas) {
            long behind = id == nodeId ? 0 : Math.max(0, commit - match.getOrDefault(id, 0L));
            lag.put(id, behind);
            if (behind == 0) {
              inSync.add(id);
            }
          }
          return new Live(sm.logStartOffset(), sm.logEndOffset(), sm.highWatermark(), inSync, lag);
        });
  }

  private static void fill(PartitionDescription.Builder d, Live live) {
    d.setLogStartOffset(live.logStart())
        .setLogEndOffset(live.logEnd())
        .setHighWatermark(live.highWatermark())
        .clearInSyncReplicas()
        .addAllInSyncReplicas(live.inSync())
        .putAllReplicaLag(live.lag());
  }

  /** Asks {@code leader} for the partitions it leads; the returned action copies its answer. */
  private CompletableFuture<Runnable> askLeader(
      int leader, TreeSet<String> asked, Map<String, TopicDescription.Builder> topics) {
    Optional<String> address = metadata.broker(leader).map(BrokerInfo::clientAddress);
    if (address.isEmpty()) {
      return CompletableFuture.completedFuture(
          () -> failLedBy(leader, asked, topics, "leader node " + leader + " is not registered"));
    }
    DescribeTopicsRequest request =
        DescribeTopicsRequest.newBuilder().addAllTopics(asked).setLeaderOnly(true).build();
    CompletableFuture<DescribeTopicsResponse> call = new CompletableFuture<>();
    com.google.common.util.concurrent.Futures.addCallback(
        peers.stub(address.get(), PEER_TIMEOUT).describeTopics(request),
        new com.google.common.util.concurrent.FutureCallback<>() {
          @Override
          public void onSuccess(DescribeTopicsResponse r) {
            call.complete(r);
          }

          @Override
          public void onFailure(Throwable t) {
            call.completeExceptionally(t);
          }
        },
        Runnable::run);
    return call.handle(
        (r, err) -> {
          Runnable apply =
              err != null
                  ? () -> failLedBy(leader, asked, topics, "leader node " + leader + ": " + err)
                  : () -> copyLedBy(leader, r, topics);
          return apply;
        });
  }

  private static void copyLedBy(
      int leader, DescribeTopicsResponse r, Map<String, TopicDescription.Builder> topics) {
    for (TopicDescription theirs : r.getTopicsList()) {
      TopicDescription.Builder ours = topics.get(theirs.getName());
      if (ours == null || ours.hasError()) {
        continue;
      }
      for (PartitionDescription p : theirs.getPartitionsList()) {
        if (p.getPartition() >= ours.getPartitionsCount()) {
          continue;
        }
        PartitionDescription.Builder d = ours.getPartitionsBuilder(p.getPartition());
        if (d.getLeaderId() != leader) {
          continue;
        }
        if (p.hasError()) {
          d.setError(p.getError());
          continue;
        }
        d.setLeaderEpoch(p.getLeaderEpoch())
            .setLogStartOffset(p.getLogStartOffset())
            .setLogEndOffset(p.getLogEndOffset())
            .setHighWatermark(p.getHighWatermark())
            .clearInSyncReplicas()
            .addAllInSyncReplicas(p.getInSyncReplicasList())
            .putAllReplicaLag(p.getReplicaLagMap());
      }
    }
  }

  private static void failLedBy(
      int leader, TreeSet<String> asked, Map<String, TopicDescription.Builder> topics, String why) {
    ErrorDetail error = ErrorDetails.of(ErrorCode.LEADER_NOT_AVAILABLE, why);
    for (String name : asked) {
      TopicDescription.Builder t = topics.get(name);
      for (PartitionDescription.Builder d : t.getPartitionsBuilderList()) {
        if (d.getLeaderId() == leader) {
          d.setError(error);
        }
      }
    }
  }

  private static ErrorDetail unknown(String name) {
    return ErrorDetails.of(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + name + "' does not exist");
  }
}
