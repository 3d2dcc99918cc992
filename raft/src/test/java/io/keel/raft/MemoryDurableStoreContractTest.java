package io.keel.raft;

import java.nio.file.Path;

class MemoryDurableStoreContractTest extends RaftStorageContract {

  @Override
  protected DurableStore openStore(Path dir) {
    return new MemoryDurableStore();
  }

  @Override
  protected DurableStore crashAndReopen(DurableStore store, Path dir) {
    ((MemoryDurableStore) store).crash();
    return store;
  }
}
