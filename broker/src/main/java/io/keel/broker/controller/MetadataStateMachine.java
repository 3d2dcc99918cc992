package io.keel.broker.controller;

import io.keel.broker.raft.GroupStateMachine;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.Snapshot;
import io.keel.raft.SoftState;
import java.util.function.Consumer;

/**
 * The metadata group's state machine: folds {@link MetadataCommand}s into a {@link MetadataImage}.
 * Runs on the metadata group's event loop; every new image is handed to {@code sink}.
 */
public final class MetadataStateMachine implements GroupStateMachine {
  private final Consumer<MetadataImage> sink;
  private final Consumer<SoftState> roleListener;
  private volatile MetadataImage image = MetadataImage.EMPTY;

  public MetadataStateMachine(Consumer<MetadataImage> sink, Consumer<SoftState> roleListener) {
    this.sink = sink;
    this.roleListener = roleListener;
  }

  public MetadataImage image() {
    return image;
  }

  @Override
  public void apply(Entry entry) {
    MetadataImage next =
        entry.type() == EntryType.NORMAL && entry.data().length > 0 // empty: a replica fence
            ? image.apply(MetadataCodec.decode(entry.data()), entry.index())
            : image.withVersion(entry.index());
    image = next;
    sink.accept(next);
  }

  @Override
  public byte[] takeSnapshot() {
    return MetadataCodec.encodeImage(image);
  }

  @Override
  public void restoreSnapshot(Snapshot snapshot) {
    MetadataImage restored =
        snapshot.data().length == 0
            ? MetadataImage.EMPTY
            : MetadataCodec.decodeImage(snapshot.data());
    image = restored.withVersion(snapshot.index());
    sink.accept(image);
  }

  @Override
  public void onRoleChange(SoftState state) {
    roleListener.accept(state);
  }
}
