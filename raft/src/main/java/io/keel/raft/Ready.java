package io.keel.raft;

import java.util.List;

/**
 * A batch of work the caller must carry out for one {@link RaftNode}.
 *
 * <p>Ordering contract (safety depends on it):
 *
 * <ol>
 *   <li>Stage {@code hardState} (if non-null), {@code snapshot} (if non-null, with {@link
 *       RaftStorage#applySnapshot}) and {@code entries} (with {@link RaftStorage#append}) so that
 *       they become durable together: in one atomic write, or in the order snapshot, entries, hard
 *       state. A crash must never leave the hard state's commit index over entries that the log
 *       does not hold yet, or over the old entries that {@code entries} replace.
 *   <li>Send {@code messagesBeforeSync} at any time from here on, before or while the sync runs: a
 *       leader's appends, heartbeats, snapshot chunks and TimeoutNow promise nothing about its own
 *       storage (Raft thesis, section 10.2.1: the leader writes its log in parallel with
 *       replication). Always empty when {@code mustSync}.
 *   <li>{@link DurableStore#sync()} so all of it is durable. A change of term or vote must be
 *       durable before any message is sent whatever the store's fsync policy (a node that forgot
 *       its vote could vote twice in one term); a change of the commit index alone need not be.
 *   <li>Send {@code messages}: some of them (votes, append acknowledgements) promise what was just
 *       persisted.
 *   <li>Apply the snapshot's data and then {@code committedEntries}, in order, to the state
 *       machine; serve {@code readStates} once the state machine has applied their index.
 *   <li>Call {@link RaftNode#advance(Ready)}. This is the node's only evidence that its own entries
 *       are durable: a leader counts itself in the commit quorum for them only from here on, so a
 *       commit never rests on a leader's unsynced copy.
 * </ol>
 *
 * <p>Exactly one component executes a Ready, and no other call may be made on the node between
 * {@link RaftNode#ready()} and {@link RaftNode#advance(Ready)}.
 *
 * @param hardState the hard state to persist, null if unchanged
 * @param entries entries to stage (they may overwrite an uncommitted suffix) and sync before
 *     sending {@code messages}
 * @param snapshot a snapshot to stage with applySnapshot and install, or null
 * @param messagesBeforeSync messages that may be sent as soon as the Ready is staged
 * @param messages messages to send after the sync
 * @param committedEntries entries to apply in order; each is committed and persisted by step 3
 * @param readStates read-index requests now confirmed
 * @param softState the new volatile state, null if unchanged
 * @param mustSync the hard state's term or vote changed: it must be durable before any message is
 *     sent, whatever the data fsync policy (a lost vote or term lets a node vote twice in a term).
 *     When false, a policy that defers syncs (interval, never) risks only entries and the commit
 *     hint, which the protocol tolerates losing on a minority.
 */
public record Ready(
    HardState hardState,
    List<Entry> entries,
    Snapshot snapshot,
    List<Message> messagesBeforeSync,
    List<Message> messages,
    List<Entry> committedEntries,
    List<ReadState> readStates,
    SoftState softState,
    boolean mustSync) {

  public Ready {
    entries = List.copyOf(entries);
    messagesBeforeSync = List.copyOf(messagesBeforeSync);
    Checks.state(
        !mustSync || messagesBeforeSync.isEmpty(),
        "a Ready that changes term or vote sends nothing before its sync");
    messages = List.copyOf(messages);
    committedEntries = List.copyOf(committedEntries);
    readStates = List.copyOf(readStates);
  }
}
