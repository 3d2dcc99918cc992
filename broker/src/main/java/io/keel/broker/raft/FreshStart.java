package io.keel.broker.raft;

/**
 * What a replica does when its store holds nothing for its group. Only the members that create a
 * group may bootstrap it: a replica that lost its state (a wiped or replaced disk, a rebuilt
 * quarantined replica) would otherwise forget its term, vote and acknowledgements and could vote
 * twice in one term (docs/raft.md, "A replica that lost its state").
 */
public enum FreshStart {
  /** This node is creating the group now: bootstrap it with the initial membership. */
  BOOTSTRAP,
  /**
   * The group exists already: take part only behind a term fence from its leader, or bootstrap if
   * every other member runs at term 0 (no member ever voted for or followed anyone).
   */
  REJOIN,
  /**
   * Nothing local says whether the group exists (the metadata group after a wipe): bootstrap only
   * if every other voter is fresh too or at term 0, else rejoin.
   */
  ASK_PEERS
}
