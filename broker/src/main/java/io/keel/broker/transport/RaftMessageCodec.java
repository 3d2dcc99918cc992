package io.keel.broker.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.keel.proto.GroupHeartbeat;
import io.keel.proto.GroupHeartbeatResponse;
import io.keel.proto.RaftBatch;
import io.keel.proto.RaftMessage;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.Membership;
import io.keel.raft.Message;
import io.keel.raft.Message.AppendRequest;
import io.keel.raft.Message.AppendResponse;
import io.keel.raft.Message.HeartbeatRequest;
import io.keel.raft.Message.HeartbeatResponse;
import io.keel.raft.Message.SnapshotChunk;
import io.keel.raft.Message.SnapshotResponse;
import io.keel.raft.Message.TimeoutNow;
import io.keel.raft.Message.VoteRequest;
import io.keel.raft.Message.VoteResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Maps Raft {@link Message}s to and from {@link RaftBatch} frames. Both directions switch
 * exhaustively, so a new message type does not compile until it has a wire form. Heartbeats travel
 * coalesced in the frame's heartbeat lists instead of as individual messages.
 */
public final class RaftMessageCodec {
  private RaftMessageCodec() {}

  /** Adds {@code m} to a frame whose {@code from}/{@code to} match the message's. */
  public static void encode(Message m, RaftBatch.Builder frame) {
    switch (m) {
      case HeartbeatRequest h ->
          frame.addHeartbeats(
              GroupHeartbeat.newBuilder()
                  .setGroupId(h.groupId())
                  .setTerm(h.term())
                  .setLeaderCommit(h.leaderCommit())
                  .setCommitTerm(h.commitTerm())
                  .setReadContext(h.readContext()));
      case HeartbeatResponse h ->
          frame.addHeartbeatResponses(
              GroupHeartbeatResponse.newBuilder()
                  .setGroupId(h.groupId())
                  .setTerm(h.term())
                  .setReadContext(h.readContext()));
      case VoteRequest v -> frame.addMessages(header(m).setVoteRequest(voteRequest(v)));
      case VoteResponse v ->
          frame.addMessages(
              header(m)
                  .setVoteResponse(
                      io.keel.proto.VoteResponse.newBuilder()
                          .setPreVote(v.preVote())
                          .setGranted(v.granted())));
      case AppendRequest a -> frame.addMessages(header(m).setAppendRequest(appendRequest(a)));
      case AppendResponse a -> frame.addMessages(header(m).setAppendResponse(appendResponse(a)));
      case SnapshotChunk c -> frame.addMessages(header(m).setSnapshotChunk(snapshotChunk(c)));
      case SnapshotResponse r ->
          frame.addMessages(header(m).setSnapshotResponse(snapshotResponse(r)));
      case TimeoutNow t ->
          frame.addMessages(header(m).setTimeoutNow(io.keel.proto.TimeoutNow.getDefaultInstance()));
    }
  }

  /** All messages of a frame, heartbeats included. */
  public static List<Message> decode(RaftBatch frame) {
    int from = frame.getFrom();
    int to = frame.getTo();
    List<Message> out =
        new ArrayList<>(
            frame.getMessagesCount()
                + frame.getHeartbeatsCount()
                + frame.getHeartbeatResponsesCount());
    for (GroupHeartbeat h : frame.getHeartbeatsList()) {
      out.add(
          new HeartbeatRequest(
              h.getGroupId(),
              from,
              to,
              h.getTerm(),
              h.getLeaderCommit(),
              h.getCommitTerm(),
              h.getReadContext()));
    }
    for (GroupHeartbeatResponse h : frame.getHeartbeatResponsesList()) {
      out.add(new HeartbeatResponse(h.getGroupId(), from, to, h.getTerm(), h.getReadContext()));
    }
    for (RaftMessage m : frame.getMessagesList()) {
      out.add(decode(m, from, to));
    }
    return out;
  }

  private static Message decode(RaftMessage m, int from, int to) {
    long g = m.getGroupId();
    long term = m.getTerm();
    return switch (m.getBodyCase()) {
      case VOTE_REQUEST -> {
        io.keel.proto.VoteRequest v = m.getVoteRequest();
        yield new VoteRequest(
            g,
            from,
            to,
            term,
            v.getPreVote(),
            v.getLastLogIndex(),
            v.getLastLogTerm(),
            v.getLeadershipTransfer());
      }
      case VOTE_RESPONSE ->
          new VoteResponse(
              g,
              from,
              to,
              term,
              m.getVoteResponse().getPreVote(),
              m.getVoteResponse().getGranted());
      case APPEND_REQUEST -> appendRequest(m.getAppendRequest(), g, from, to, term);
      case APPEND_RESPONSE -> {
        io.keel.proto.AppendResponse a = m.getAppendResponse();
        yield new AppendResponse(
            g,
            from,
            to,
            term,
            a.getSuccess(),
            a.getMatchIndex(),
            a.getConflictIndex(),
            a.getConflictTerm(),
            a.getLastLogIndex(),
            a.getRejectedIndex());
      }
      case SNAPSHOT_CHUNK -> snapshotChunk(m.getSnapshotChunk(), g, from, to, term);
      case SNAPSHOT_RESPONSE -> {
        io.keel.proto.SnapshotResponse r = m.getSnapshotResponse();
        yield new SnapshotResponse(
            g,
            from,
            to,
            term,
            r.getSnapshotIndex(),
            r.getNextOffset(),
            r.getDone(),
            r.getRejected());
      }
      case TIMEOUT_NOW -> new TimeoutNow(g, from, to, term);
      case BODY_NOT_SET ->
          throw new IllegalArgumentException(
              "raft message of group " + g + " from node " + from + " has no body");
    };
  }

  private static RaftMessage.Builder header(Message m) {
    return RaftMessage.newBuilder().setGroupId(m.groupId()).setTerm(m.term());
  }

  private static io.keel.proto.VoteRequest voteRequest(VoteRequest v) {
    return io.keel.proto.VoteRequest.newBuilder()
        .setPreVote(v.preVote())
        .setLastLogIndex(v.lastLogIndex())
        .setLastLogTerm(v.lastLogTerm())
        .setLeadershipTransfer(v.leadershipTransfer())
        .build();
  }

  private static io.keel.proto.AppendRequest appendRequest(AppendRequest a) {
    io.keel.proto.AppendRequest.Builder b =
        io.keel.proto.AppendRequest.newBuilder()
            .setPrevLogIndex(a.prevLogIndex())
            .setPrevLogTerm(a.prevLogTerm())
            .setLeaderCommit(a.leaderCommit());
    for (Entry e : a.entries()) {
      b.addEntries(
          io.keel.proto.Entry.newBuilder()
              .setTerm(e.term())
              .setIndex(e.index())
              .setType(entryType(e.type()))
              // Entry arrays are never mutated: the frame may read them without a copy.
              .setData(UnsafeByteOperations.unsafeWrap(e.data())));
    }
    return b.build();
  }

  private static AppendRequest appendRequest(
      io.keel.proto.AppendRequest a, long g, int from, int to, long term) {
    List<Entry> entries = new ArrayList<>(a.getEntriesCount());
    for (io.keel.proto.Entry e : a.getEntriesList()) {
      entries.add(
          new Entry(e.getTerm(), e.getIndex(), entryType(e.getType()), e.getData().toByteArray()));
    }
    return new AppendRequest(
        g, from, to, term, a.getPrevLogIndex(), a.getPrevLogTerm(), entries, a.getLeaderCommit());
  }

  private static io.keel.proto.AppendResponse appendResponse(AppendResponse a) {
    return io.keel.proto.AppendResponse.newBuilder()
        .setSuccess(a.success())
        .setMatchIndex(a.matchIndex())
        .setConflictIndex(a.conflictIndex())
        .setConflictTerm(a.conflictTerm())
        .setLastLogIndex(a.lastLogIndex())
        .setRejectedIndex(a.rejectedIndex())
        .build();
  }

  private static io.keel.proto.SnapshotChunk snapshotChunk(SnapshotChunk c) {
    return io.keel.proto.SnapshotChunk.newBuilder()
        .setSnapshotIndex(c.snapshotIndex())
        .setSnapshotTerm(c.snapshotTerm())
        .setMembership(
            io.keel.proto.Membership.newBuilder()
                .addAllVoters(c.membership().voters())
                .addAllLearners(c.membership().learners()))
        .setOffset(c.offset())
        .setData(ByteString.copyFrom(c.data()))
        .setLast(c.last())
        .build();
  }

  private static SnapshotChunk snapshotChunk(
      io.keel.proto.SnapshotChunk c, long g, int from, int to, long term) {
    Membership membership =
        new Membership(
            new HashSet<>(c.getMembership().getVotersList()),
            new HashSet<>(c.getMembership().getLearnersList()));
    return new SnapshotChunk(
        g,
        from,
        to,
        term,
        c.getSnapshotIndex(),
        c.getSnapshotTerm(),
        membership,
        c.getOffset(),
        c.getData().toByteArray(),
        c.getLast());
  }

  private static io.keel.proto.SnapshotResponse snapshotResponse(SnapshotResponse r) {
    return io.keel.proto.SnapshotResponse.newBuilder()
        .setSnapshotIndex(r.snapshotIndex())
        .setNextOffset(r.nextOffset())
        .setDone(r.done())
        .setRejected(r.rejected())
        .build();
  }

  private static io.keel.proto.EntryType entryType(EntryType type) {
    return switch (type) {
      case NORMAL -> io.keel.proto.EntryType.ENTRY_TYPE_NORMAL;
      case NOOP -> io.keel.proto.EntryType.ENTRY_TYPE_NOOP;
      case CONFIG -> io.keel.proto.EntryType.ENTRY_TYPE_CONFIG;
    };
  }

  private static EntryType entryType(io.keel.proto.EntryType type) {
    return switch (type) {
      case ENTRY_TYPE_NORMAL -> EntryType.NORMAL;
      case ENTRY_TYPE_NOOP -> EntryType.NOOP;
      case ENTRY_TYPE_CONFIG -> EntryType.CONFIG;
      case ENTRY_TYPE_UNSPECIFIED, UNRECOGNIZED ->
          throw new IllegalArgumentException("raft entry has unknown type " + type);
    };
  }
}
