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
   * trip to the leader, and is safe). When this node's metadata replica lost its state too and was
   * fenced at {@code metadataFenceIndex}, it replays entries that created groups long ago one by
   * one: a group is new only if it was created above the fence, after the wipe.
   */
  public static FreshStart of(MetadataImage previous, long groupId, long metadataFenceIndex) {
    return previous.version() > 0
            && previous.version() >= metadataFenceIndex
            && !previous.hasGroup(groupId)
        ? FreshStart.BOOTSTRAP
        : FreshStart.REJOIN;
  }
}
