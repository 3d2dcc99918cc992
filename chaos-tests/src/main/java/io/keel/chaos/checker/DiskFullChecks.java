package io.keel.chaos.checker;

import io.keel.chaos.history.Op;
import io.keel.chaos.history.Operation;
import java.util.List;

/**
 * A full disk must reach producers as the typed STORAGE_FULL error: in every disk-full window (the
 * fault targets a partition leader) at least one send must fail with {@code StorageFullException},
 * not only with timeouts or by a node dying.
 */
final class DiskFullChecks {
  static final String FAULT = "disk-full";
  private static final String TYPED = "StorageFullException";

  private DiskFullChecks() {}

  static void run(List<Operation> ops, Anomalies out) {
    Long start = null;
    String detail = "";
    for (Operation o : ops) {
      if (!(o.op() instanceof Op.Fault f) || !f.name().equals(FAULT)) {
        continue;
      }
      if (f.action() == Op.FaultAction.START) {
        start = o.invokeNanos();
        detail = f.detail();
      } else if (start != null) {
        check(ops, start, o.invokeNanos(), detail, out);
        start = null;
      }
    }
  }

  private static void check(List<Operation> ops, long from, long to, String detail, Anomalies out) {
    long typed = 0;
    long other = 0;
    for (Operation o : ops) {
      if (o.op() instanceof Op.Send
          && !o.isOk()
          && o.completion() != null
          && o.completeNanos() >= from
          && o.completeNanos() <= to) {
        String error = o.completion().error();
        if (error != null && error.contains(TYPED)) {
          typed++;
        } else {
          other++;
        }
      }
    }
    if (typed == 0) {
      out.add(
          AnomalyType.UNTYPED_FULL_DISK,
          "%s during %.1f-%.1fs: no send failed with STORAGE_FULL (%d failed otherwise)"
              .formatted(detail, from / 1e9, to / 1e9, other));
    }
  }
}
