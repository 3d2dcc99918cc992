package io.keel.raft;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The safety properties the simulator checks after every event. Each check throws {@link
 * SimViolation} naming the property.
 */
final class SimInvariants {
  /** A broken safety property. */
  static final class SimViolation extends RuntimeException {
    SimViolation(String message) {
      super(message);
    }
  }

  private record LogKey(long index, long term) {}

  private record EntryFacts(long dataHash, long prevTerm) {}

  private final Map<Long, Integer> leaderOfTerm = new HashMap<>();
  private final Map<LogKey, EntryFacts> entries = new HashMap<>();
  private final Map<Long, Integer> votes = new HashMap<>();
  private long[] committedTerm = new long[1024];
  // Lowest term in which some node was seen with the index committed: from then on every leader
  // holds the entry (Leader Completeness), so any node in that term or later may only store it.
  private long[] committedSinceTerm = new long[1024];
  private long[] appliedHash = new long[1024];
  private long[] chainHash = new long[1024];
  private long maxCommitted;
  private final long[] maxSentTerm;
  private final long[] lastTerm;
  private final long[] seenCommit;

  SimInvariants(int nodes) {
    maxSentTerm = new long[nodes + 1];
    lastTerm = new long[nodes + 1];
    seenCommit = new long[nodes + 1];
  }

  long maxCommitted() {
    return maxCommitted;
  }

  long committedTerm(long index) {
    return index < committedTerm.length ? committedTerm[(int) index] : 0;
  }

  long appliedHash(long index) {
    return index < appliedHash.length ? appliedHash[(int) index] : 0;
  }

  private static void fail(String format, Object... args) {
    throw new SimViolation(String.format(format, args));
  }

  private long[] grow(long[] a, long index) {
    if (index < a.length) {
      return a;
    }
    return Arrays.copyOf(a, (int) Math.max(index + 1, a.length * 2L));
  }

  /** Log Matching, and no committed entry overwritten: checked as entries are staged. */
  void onStaged(int node, long nodeTerm, RaftStorage storage, Iterable<Entry> staged) {
    for (Entry e : staged) {
      long prevTerm = storage.term(e.index() - 1);
      EntryFacts facts = new EntryFacts(SimStateMachine.entryHash(e), prevTerm);
      EntryFacts known = entries.putIfAbsent(new LogKey(e.index(), e.term()), facts);
      if (known != null && !known.equals(facts)) {
        fail(
            "Log Matching: n%d stores (%d,%d) with %s but another node has %s",
            node, e.index(), e.term(), facts, known);
      }
      long committed = committedTerm(e.index());
      boolean bound = committed != 0 && nodeTerm >= committedSinceTerm[(int) e.index()];
      if (bound && committed != e.term()) {
        fail(
            "committed entry changed: n%d in term %d writes term %d at index %d, committed term"
                + " is %d since term %d",
            node, nodeTerm, e.term(), e.index(), committed, committedSinceTerm[(int) e.index()]);
      }
    }
  }

  /** A message leaves {@code node}: track terms and votes it has promised. */
  void onSend(int node, long nodeTerm, Message m) {
    boolean preVote =
        (m instanceof Message.VoteRequest req && req.preVote())
            || (m instanceof Message.VoteResponse resp && resp.preVote());
    if (!preVote) {
      maxSentTerm[node] = Math.max(maxSentTerm[node], m.term());
    }
    if (m instanceof Message.VoteRequest r && !r.preVote()) {
      recordVote(node, r.term(), node);
    }
    if (m instanceof Message.VoteResponse r && !r.preVote() && r.granted()) {
      recordVote(node, r.term(), r.to());
    }
  }

  private void recordVote(int voter, long term, int candidate) {
    Integer previous = votes.putIfAbsent(term * 1024 + voter, candidate);
    if (previous != null && previous != candidate) {
      fail(
          "vote not honoured: n%d voted for n%d and n%d in term %d",
          voter, previous, candidate, term);
    }
  }

  /** Checks that hold for a live node at any time. */
  void checkNode(int node, RaftNode raft) {
    long term = raft.term();
    if (term < lastTerm[node] || term < maxSentTerm[node]) {
      fail(
          "term went backwards: n%d at term %d after term %d (sent %d)",
          node, term, lastTerm[node], maxSentTerm[node]);
    }
    lastTerm[node] = term;
    if (raft.role() == RaftRole.LEADER) {
      Integer previous = leaderOfTerm.putIfAbsent(term, node);
      if (previous == null) {
        checkLeaderCompleteness(node, raft);
      } else if (previous != node) {
        fail("two leaders in term %d: n%d and n%d", term, previous, node);
      }
    }
    if (raft.commitIndex() > seenCommit[node]) {
      recordCommitted(node, raft, seenCommit[node] + 1, raft.commitIndex());
      seenCommit[node] = raft.commitIndex();
    }
  }

  private void recordCommitted(int node, RaftNode raft, long from, long to) {
    committedTerm = grow(committedTerm, to);
    committedSinceTerm = grow(committedSinceTerm, to);
    for (long i = from; i <= to; i++) {
      long t = raft.termAt(i);
      if (t < 0) {
        continue;
      }
      long known = committedTerm[(int) i];
      if (known == 0) {
        committedTerm[(int) i] = t;
        committedSinceTerm[(int) i] = raft.term();
      } else if (known == t) {
        committedSinceTerm[(int) i] = Math.min(committedSinceTerm[(int) i], raft.term());
      } else {
        fail(
            "committed entry changed: n%d commits term %d at index %d, committed term was %d",
            node, t, i, known);
      }
    }
    maxCommitted = Math.max(maxCommitted, to);
  }

  /**
   * Leader Completeness: a new leader holds every entry committed before its term. (A candidate
   * paused while its votes were in flight can become leader of an old term after later terms
   * committed more; those entries need not be in its log, and it can commit nothing.)
   */
  private void checkLeaderCompleteness(int node, RaftNode raft) {
    for (long i = 1; i <= maxCommitted; i++) {
      long committed = committedTerm[(int) i];
      if (committed == 0 || committedSinceTerm[(int) i] > raft.term()) {
        continue;
      }
      long t = raft.termAt(i);
      if (i > raft.lastIndex()) {
        fail(
            "Leader Completeness: n%d leads term %d with last index %d < committed %d",
            node, raft.term(), raft.lastIndex(), i);
      }
      if (t >= 0 && t != committed) {
        fail(
            "Leader Completeness: n%d leads term %d with term %d at %d, committed term %d",
            node, raft.term(), t, i, committed);
      }
    }
  }

  /** {@code node} lost its whole state (a non-voter's disk was replaced): its history restarts. */
  void onWiped(int node) {
    maxSentTerm[node] = 0;
    lastTerm[node] = 0;
    votes.keySet().removeIf(key -> key % 1024 == node);
  }

  /** A restarted node still holds what it had persisted as committed. */
  void onRestart(int node, RaftNode raft) {
    seenCommit[node] = 0;
    lastTerm[node] = 0;
    checkNode(node, raft);
  }

  /** No two nodes apply different entries at one index; state matches the global chain. */
  void onApply(int node, Entry e, long smHash) {
    long index = e.index();
    appliedHash = grow(appliedHash, index);
    chainHash = grow(chainHash, index);
    long h = SimStateMachine.entryHash(e);
    if (appliedHash[(int) index] == 0) {
      appliedHash[(int) index] = h | 1;
      chainHash[(int) index] = smHash;
    } else if (appliedHash[(int) index] != (h | 1) || chainHash[(int) index] != smHash) {
      fail(
          "n%d applied a different entry (term %d) at index %d than another node",
          node, e.term(), index);
    }
    if (committedTerm(index) != 0 && committedTerm(index) != e.term()) {
      fail(
          "n%d applied term %d at %d but committed term is %d",
          node, e.term(), index, committedTerm(index));
    }
  }

  /** A restored snapshot matches the state every other node reached at its index. */
  void onSnapshotRestored(int node, long index, long smHash) {
    if (index > 0
        && index < chainHash.length
        && chainHash[(int) index] != 0
        && chainHash[(int) index] != smHash) {
      fail(
          "n%d restored a snapshot at %d whose state differs from the applied history",
          node, index);
    }
  }

  /** A read-index result must cover everything committed before the read started. */
  void onReadState(int node, ReadState rs, long requiredIndex) {
    if (rs.index() < requiredIndex) {
      fail(
          "stale read: n%d read index %d for request %d, but %d was committed before it",
          node, rs.index(), rs.requestId(), requiredIndex);
    }
  }
}
