package io.keel.broker.group;

import io.keel.broker.controller.TopicInfo;
import io.keel.broker.group.GroupRecord.OffsetCommit;
import io.keel.proto.Assignment;
import io.keel.proto.DescribeGroupsRequest;
import io.keel.proto.DescribeGroupsResponse;
import io.keel.proto.ErrorCode;
import io.keel.proto.GroupDescription;
import io.keel.proto.GroupListing;
import io.keel.proto.GroupState;
import io.keel.proto.ListGroupsRequest;
import io.keel.proto.ListGroupsResponse;
import io.keel.proto.MemberDescription;
import io.keel.proto.OffsetSpec;
import io.keel.proto.PartitionLag;
import io.keel.proto.ResetOffsetResult;
import io.keel.proto.ResetOffsetsRequest;
import io.keel.proto.ResetOffsetsResponse;
import io.keel.proto.TopicPartitions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** ListGroups, DescribeGroups (with lag), ResetOffsets and the periodic group metrics. */
final class GroupAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(GroupAdmin.class);

  private final GroupCoordinatorService service;
  private final CoordinatorReplicas replicas;
  private final PartitionOffsets offsets;
  private final GroupMetrics metrics;

  GroupAdmin(
      GroupCoordinatorService service,
      CoordinatorReplicas replicas,
      PartitionOffsets offsets,
      GroupMetrics metrics) {
    this.service = service;
    this.replicas = replicas;
    this.offsets = offsets;
    this.metrics = metrics;
  }

  static List<TopicPartitions> byTopic(Set<TopicPartition> partitions) {
    Map<String, TopicPartitions.Builder> out = new TreeMap<>();
    for (TopicPartition tp : new TreeSet<>(partitions)) {
      out.computeIfAbsent(tp.topic(), t -> TopicPartitions.newBuilder().setTopic(t))
          .addPartitions(tp.partition());
    }
    return out.values().stream().map(TopicPartitions.Builder::build).toList();
  }

  static GroupState toProto(GroupMetadata.State state) {
    return switch (state) {
      case EMPTY -> GroupState.GROUP_STATE_EMPTY;
      case RECONCILING -> GroupState.GROUP_STATE_RECONCILING;
      case STABLE -> GroupState.GROUP_STATE_STABLE;
    };
  }

  /**
   * Groups of every {@code __consumer_offsets} replica on this node, leader or follower (a follower
   * has applied the same records, perhaps a little later). With the default replication factor of
   * three, every node of a cluster of up to three nodes sees every group.
   */
  CompletableFuture<ListGroupsResponse> listGroups(ListGroupsRequest req) {
    List<CompletableFuture<List<GroupListing>>> parts = new ArrayList<>();
    var topic = replicas.topic();
    for (PartitionCoordinator c : replicas.all()) {
      int leader = topic.map(t -> replicas.leaderOf(t, c.partition())).orElse(0);
      parts.add(
          c.listGroups()
              .thenApply(
                  groups ->
                      groups.stream()
                          .map(
                              g ->
                                  GroupListing.newBuilder()
                                      .setGroupId(g.groupId())
                                      .setState(toProto(g.state()))
                                      .setCoordinatorId(leader)
                                      .build())
                          .filter(
                              l ->
                                  req.getStatesList().isEmpty()
                                      || req.getStatesList().contains(l.getState()))
                          .toList())
              .exceptionally(e -> List.of()));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              Map<String, GroupListing> unique = new TreeMap<>();
              parts.forEach(p -> p.join().forEach(l -> unique.putIfAbsent(l.getGroupId(), l)));
              return ListGroupsResponse.newBuilder().addAllGroups(unique.values()).build();
            });
  }

  CompletableFuture<DescribeGroupsResponse> describeGroups(DescribeGroupsRequest req) {
    List<CompletableFuture<GroupDescription>> out = new ArrayList<>();
    for (String groupId : new LinkedHashSet<>(req.getGroupIdsList())) {
      out.add(describe(groupId));
    }
    return CompletableFuture.allOf(out.toArray(CompletableFuture[]::new))
        .thenApply(
            v ->
                DescribeGroupsResponse.newBuilder()
                    .addAllGroups(out.stream().map(CompletableFuture::join).toList())
                    .build());
  }

  private CompletableFuture<GroupDescription> describe(String groupId) {
    GroupDescription.Builder b = GroupDescription.newBuilder().setGroupId(groupId);
    PartitionCoordinator c;
    try {
      c = service.route(groupId);
    } catch (CoordinatorException e) {
      return CompletableFuture.completedFuture(b.setError(service.errorOf(e)).build());
    }
    return c.describe(groupId)
        .thenCompose(s -> withLag(s, c, b))
        .exceptionally(e -> b.setError(service.errorOf(e)).build());
  }

  private CompletableFuture<GroupDescription> withLag(
      PartitionCoordinator.Snapshot s, PartitionCoordinator c, GroupDescription.Builder b) {
    if (!s.exists()) {
      return CompletableFuture.completedFuture(
          b.setState(GroupState.GROUP_STATE_DEAD)
              .setError(
                  GroupCoordinatorService.error(
                      ErrorCode.GROUP_ID_NOT_FOUND, "group '" + s.groupId() + "' does not exist"))
              .build());
    }
    GroupMetadata g = s.metadata();
    b.setState(toProto(g.state()))
        .setGroupEpoch(g.groupEpoch())
        .setAssignmentEpoch(g.assignmentEpoch())
        .setAssignor(g.assignor());
    service.node(c.group().leaderId()).ifPresent(b::setCoordinator);
    Map<TopicPartition, String> owners = new HashMap<>();
    for (MemberState m : g.members().values()) {
      m.assigned().forEach(tp -> owners.put(tp, m.memberId()));
      b.addMembers(
          MemberDescription.newBuilder()
              .setMemberId(m.memberId())
              .setClientId(m.clientId())
              .setMemberEpoch(m.memberEpoch())
              .addAllSubscribedTopics(m.subscriptions())
              .setAssignment(Assignment.newBuilder().addAllPartitions(byTopic(m.current())))
              .setTargetAssignment(Assignment.newBuilder().addAllPartitions(byTopic(m.target()))));
    }
    Set<TopicPartition> partitions = new TreeSet<>(s.offsets().keySet());
    g.members().values().forEach(m -> partitions.addAll(m.target()));
    return lags(s.offsets(), partitions)
        .thenApply(
            lags -> {
              lags.forEach(
                  (tp, lag) ->
                      b.addOffsets(lag.toBuilder().setMemberId(owners.getOrDefault(tp, ""))));
              return b.build();
            });
  }

  /** Committed offset, high watermark and lag of each partition (-1 where unknown). */
  private CompletableFuture<SortedMap<TopicPartition, PartitionLag>> lags(
      SortedMap<TopicPartition, OffsetCommit> committed, Set<TopicPartition> partitions) {
    Map<TopicPartition, CompletableFuture<Long>> ends = new TreeMap<>();
    OffsetSpec latest = OffsetSpec.newBuilder().setKind(OffsetSpec.Kind.LATEST).build();
    for (TopicPartition tp : partitions) {
      ends.put(tp, offsets.lookup(tp, latest).exceptionally(e -> -1L));
    }
    return CompletableFuture.allOf(ends.values().toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              SortedMap<TopicPartition, PartitionLag> out = new TreeMap<>();
              ends.forEach(
                  (tp, f) -> {
                    long end = f.join();
                    OffsetCommit c = committed.get(tp);
                    long offset = c == null ? -1 : c.offset();
                    out.put(
                        tp,
                        PartitionLag.newBuilder()
                            .setTopic(tp.topic())
                            .setPartition(tp.partition())
                            .setCommittedOffset(offset)
                            .setLogEndOffset(end)
                            .setLag(offset < 0 || end < 0 ? -1 : Math.max(0, end - offset))
                            .build());
                  });
              return out;
            });
  }

  CompletableFuture<ResetOffsetsResponse> resetOffsets(ResetOffsetsRequest req) {
    ResetOffsetsResponse.Builder out = ResetOffsetsResponse.newBuilder();
    PartitionCoordinator c;
    List<TopicPartition> partitions = new ArrayList<>();
    try {
      c = service.route(req.getGroupId());
      TopicInfo topic =
          replicas
              .topicInfo(req.getTopic())
              .orElseThrow(
                  () ->
                      new CoordinatorException(
                          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                          "topic '" + req.getTopic() + "' does not exist"));
      if (req.getPartitionsList().isEmpty()) {
        for (int p = 0; p < topic.partitions(); p++) {
          partitions.add(new TopicPartition(topic.name(), p));
        }
      }
      for (int p : new TreeSet<>(req.getPartitionsList())) {
        if (p < 0 || p >= topic.partitions()) {
          throw new CoordinatorException(
              ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              String.format(
                  "topic '%s' has %d partitions; partition %d does not exist",
                  topic.name(), topic.partitions(), p));
        }
        partitions.add(new TopicPartition(topic.name(), p));
      }
      checkSpec(req.getSpec());
    } catch (CoordinatorException e) {
      return CompletableFuture.completedFuture(out.setError(service.errorOf(e)).build());
    }
    return c.describe(req.getGroupId())
        .thenCompose(
            s -> {
              if (!s.metadata().members().isEmpty()) {
                throw new CoordinatorException(
                    ErrorCode.GROUP_NOT_EMPTY,
                    "group '" + req.getGroupId() + "' has active members; stop them first");
              }
              return targets(partitions, req.getSpec());
            })
        .thenCompose(
            targets -> {
              long now = System.currentTimeMillis();
              List<OffsetCommit> commits = new ArrayList<>();
              targets.forEach(
                  (tp, offset) ->
                      commits.add(
                          new OffsetCommit(
                              req.getGroupId(), tp.topic(), tp.partition(), offset, "", now, -1)));
              return c.reset(req.getGroupId(), commits, req.getDryRun())
                  .thenApply(
                      previous -> {
                        targets.forEach(
                            (tp, offset) -> {
                              OffsetCommit before = previous.get(tp);
                              out.addPartitions(
                                  ResetOffsetResult.newBuilder()
                                      .setTopic(tp.topic())
                                      .setPartition(tp.partition())
                                      .setPreviousOffset(before == null ? -1 : before.offset())
                                      .setNewOffset(offset));
                            });
                        return out.build();
                      });
            })
        .exceptionally(e -> out.clearPartitions().setError(service.errorOf(e)).build());
  }

  private static void checkSpec(OffsetSpec spec) {
    boolean ok =
        switch (spec.getKind()) {
          case EARLIEST, LATEST -> true;
          case BY_TIMESTAMP -> spec.getTimestampMs() >= 0;
          case EXACT -> spec.getOffset() >= 0;
          case KIND_UNSPECIFIED, UNRECOGNIZED -> false;
        };
    if (!ok) {
      throw new CoordinatorException(
          ErrorCode.INVALID_REQUEST,
          "spec must be EARLIEST, LATEST, BY_TIMESTAMP (timestamp_ms >= 0) or EXACT (offset >= 0),"
              + " was "
              + spec.getKind());
    }
  }

  /** The new offset of each partition; BY_TIMESTAMP past the last record resets to the end. */
  private CompletableFuture<SortedMap<TopicPartition, Long>> targets(
      List<TopicPartition> partitions, OffsetSpec spec) {
    Map<TopicPartition, CompletableFuture<Long>> lookups = new TreeMap<>();
    OffsetSpec latest = OffsetSpec.newBuilder().setKind(OffsetSpec.Kind.LATEST).build();
    for (TopicPartition tp : partitions) {
      CompletableFuture<Long> f =
          switch (spec.getKind()) {
            case EXACT -> CompletableFuture.completedFuture(spec.getOffset());
            case BY_TIMESTAMP ->
                offsets
                    .lookup(tp, spec)
                    .thenCompose(
                        o ->
                            o >= 0
                                ? CompletableFuture.completedFuture(o)
                                : offsets.lookup(tp, latest));
            case EARLIEST, LATEST, KIND_UNSPECIFIED, UNRECOGNIZED -> offsets.lookup(tp, spec);
          };
      lookups.put(tp, f);
    }
    return CompletableFuture.allOf(lookups.values().toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              SortedMap<TopicPartition, Long> out = new TreeMap<>();
              lookups.forEach((tp, f) -> out.put(tp, f.join()));
              return out;
            });
  }

  /** Members and lag of every group this node coordinates, into the gauges. */
  void refreshMetrics() {
    List<CompletableFuture<Map<GroupMetrics.Key, Long>>> parts = new ArrayList<>();
    for (PartitionCoordinator c : replicas.all()) {
      parts.add(c.servedGroups().thenCompose(this::metricsOf).exceptionally(e -> Map.of()));
    }
    CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenRun(
            () -> {
              Map<GroupMetrics.Key, Long> all = new HashMap<>();
              parts.forEach(p -> all.putAll(p.join()));
              metrics.update(all);
            })
        .exceptionally(
            e -> {
              LOG.debug("group metrics refresh failed", e);
              return null;
            });
  }

  private CompletableFuture<Map<GroupMetrics.Key, Long>> metricsOf(
      List<PartitionCoordinator.Snapshot> groups) {
    List<CompletableFuture<Map<GroupMetrics.Key, Long>>> each = new ArrayList<>();
    for (PartitionCoordinator.Snapshot s : groups) {
      each.add(
          lags(s.offsets(), s.offsets().keySet())
              .thenApply(
                  lags -> {
                    Map<GroupMetrics.Key, Long> out = new HashMap<>();
                    out.put(
                        GroupMetrics.members(s.groupId()), (long) s.metadata().members().size());
                    lags.forEach(
                        (tp, lag) -> {
                          if (lag.getLag() >= 0) {
                            out.put(GroupMetrics.lag(s.groupId(), tp), lag.getLag());
                          }
                        });
                    return out;
                  }));
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              Map<GroupMetrics.Key, Long> out = new HashMap<>();
              each.forEach(f -> out.putAll(f.join()));
              return out;
            });
  }
}
