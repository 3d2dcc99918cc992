package io.keel.broker.controller;

/** Told of every metadata change, in version order, on one notification thread. */
@FunctionalInterface
public interface MetadataListener {
  void onMetadataChange(MetadataImage previous, MetadataImage current);
}
