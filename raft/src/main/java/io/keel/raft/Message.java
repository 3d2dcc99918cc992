package io.keel.raft;

import java.util.List;

/**
 * A Raft protocol message. Every message names its group so that one connection can carry the
 * traffic of many groups (multi-raft). Handlers switch over the records exhaustively, so a new
 * message type does not compile until every handler deals with it.
 */
public sealed interface Message {

  long groupId();

  int from();

  int to();

  /** The sender's term; for a pre-vote request, the term the sender would campaign in. */
  long term();

  /**
   * Asks for a vote (or, with {@code preVote}, whether a vote would be granted).
   *
   * @param leadershipTransfer set when the leader asked this candidate to campaign (TimeoutNow): a
   *     voter then ignores its own leader lease
   */
  record VoteRequest(
      long groupId,
      int from,
      int to,
      long term,
      boolean preVote,
      long lastLogIndex,
      long lastLogTerm,
      boolean leadershipTransfer)
      implements Message {}

  /** Answers a {@link VoteRequest}; sent only after the vote is persisted. */
  record VoteResponse(long groupId, int from, int to, long term, boolean preVote, boolean granted)
      implements Message {}

  /**
   * Replicates entries following {@code (prevLogIndex, prevLogTerm)}; may be empty (probe or commit
   * notification).
   */
  record AppendRequest(
      long groupId,
      int from,
      int to,
      long term,
      long prevLogIndex,
      long prevLogTerm,
      List<Entry> entries,
      long leaderCommit)
      implements Message {
    public AppendRequest {
      entries = List.copyOf(entries);
    }
  }

  /**
   * Answers an {@link AppendRequest}.
   *
   * @param matchIndex on success, the last index known to match the leader's log
   * @param conflictIndex on rejection, the first index of the follower's entries in {@code
   *     conflictTerm}, or the follower's last index + 1 when its log is too short
   * @param conflictTerm on rejection, the follower's term at the rejected prevLogIndex, or 0 when
   *     its log is too short
   * @param lastLogIndex the follower's last index
   * @param rejectedIndex on rejection, the {@code prevLogIndex} of the rejected request; the leader
   *     ignores rejections of probes it has since superseded
   */
  record AppendResponse(
      long groupId,
      int from,
      int to,
      long term,
      boolean success,
      long matchIndex,
      long conflictIndex,
      long conflictTerm,
      long lastLogIndex,
      long rejectedIndex)
      implements Message {}

  /**
   * Asserts leadership and carries the commit index the follower may use ({@code min(match,
   * commit)}).
   *
   * @param commitTerm the term of the leader's entry at {@code leaderCommit}, 0 if compacted: the
   *     follower commits only if it holds that very entry, so a stale match never makes it commit
   *     entries that differ from the leader's
   * @param readContext the heartbeat round; the follower echoes it, and a quorum of echoes confirms
   *     leadership as of the round's send time (read-index and lease reads)
   */
  record HeartbeatRequest(
      long groupId,
      int from,
      int to,
      long term,
      long leaderCommit,
      long commitTerm,
      long readContext)
      implements Message {}

  /** Answers a {@link HeartbeatRequest}, echoing its read context. */
  record HeartbeatResponse(long groupId, int from, int to, long term, long readContext)
      implements Message {}

  /** One chunk of the leader's latest snapshot, starting at byte {@code offset} of its data. */
  record SnapshotChunk(
      long groupId,
      int from,
      int to,
      long term,
      long snapshotIndex,
      long snapshotTerm,
      Membership membership,
      long offset,
      byte[] data,
      boolean last)
      implements Message {}

  /**
   * Answers a {@link SnapshotChunk}.
   *
   * @param nextOffset the offset of the next chunk the follower expects
   * @param done the snapshot is installed (or the follower's log already covers it)
   * @param rejected the follower could not use the chunk; the leader restarts the transfer
   */
  record SnapshotResponse(
      long groupId,
      int from,
      int to,
      long term,
      long snapshotIndex,
      long nextOffset,
      boolean done,
      boolean rejected)
      implements Message {}

  /** Tells the leadership-transfer target to campaign at once. */
  record TimeoutNow(long groupId, int from, int to, long term) implements Message {}
}
