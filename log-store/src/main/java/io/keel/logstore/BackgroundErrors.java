package io.keel.logstore;

import java.nio.file.Path;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.BackgroundErrorReason;
import org.rocksdb.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notes RocksDB's background errors (a flush or compaction that failed, e.g. on ENOSPC, stops all
 * writes until recovery), so the store fails writes fast instead of leaving writers in a stall
 * until an auto-recovery that may never come.
 */
final class BackgroundErrors extends AbstractEventListener {
  private static final Logger log = LoggerFactory.getLogger(BackgroundErrors.class);

  private final Path dir;
  private volatile boolean pending;
  private volatile String last = "none";

  BackgroundErrors(Path dir) {
    super(
        EnabledEventCallback.ON_BACKGROUND_ERROR, EnabledEventCallback.ON_ERROR_RECOVERY_COMPLETED);
    this.dir = dir;
  }

  @Override
  public void onBackgroundError(BackgroundErrorReason reason, Status status) {
    last = reason + ": " + status.getCode() + " " + status.getState();
    pending = true;
    log.warn(
        "RocksDB background error in {} during {}: {} {}; failing writes until it recovers",
        dir,
        reason,
        status.getCode(),
        status.getState());
  }

  @Override
  public void onErrorRecoveryCompleted(Status oldBackgroundError) {
    pending = false;
    log.info("RocksDB in {} recovered from {}", dir, oldBackgroundError.getCode());
  }

  String last() {
    return last;
  }

  boolean pending() {
    return pending;
  }

  void clear() {
    pending = false;
  }
}
