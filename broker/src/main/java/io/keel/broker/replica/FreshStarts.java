package io.keel.broker.replica;

import io.keel.broker.controller.MetadataImage;
import io.keel.broker.raft.FreshStart;

/** Which {@link FreshStart} a partition replica gets, from the metadata change that started it. */
public final class FreshStarts {
  private FreshStarts() {}

  /**
   * Only a group created by the change this node just observed (its previous image was a real one
   * and lacked the group) is bootstrapped; a group already in the first image this process saw
   * exists, so a fresh store for it lost its state (or never had any: fencing it costs one round
   * trip to the leader, and is safe).
   */
  public static FreshStart of(MetadataImage previous, long groupId) {
    return previous.version() > 0 && !previous.hasGroup(groupId)
        ? FreshStart.BOOTSTRAP
        : FreshStart.REJOIN;
  }
}
