package io.keel.chaos.workload;

/** Creates the workload a run asked for. */
public final class Workloads {
  private Workloads() {}

  /**
   * The real-client workloads are wired once io.keel.client is available; until then runs must pass
   * a {@link Workload} explicitly.
   */
  public static Workload create(WorkloadKind kind, boolean idempotence) {
    throw new UnsupportedOperationException(
        "workload "
            + kind.cliName()
            + " (idempotence "
            + idempotence
            + ") needs the Keel client, which the chaos module does not use yet");
  }
}
