package io.keel.logstore;

import io.keel.raft.DurableStore;
import io.keel.raft.RaftStorageContract;
import java.nio.file.Path;

/** The shared Raft storage contract against RocksDB, with power loss simulated on the WAL. */
class LogStoreContractTest extends RaftStorageContract {
  private PowerLoss power;

  @Override
  protected DurableStore openStore(Path dir) {
    power = new PowerLoss(Fixtures.config(dir));
    return power.open();
  }

  @Override
  protected DurableStore crashAndReopen(DurableStore store, Path dir) {
    return power.crashAndReopen((LogStore) store);
  }
}
