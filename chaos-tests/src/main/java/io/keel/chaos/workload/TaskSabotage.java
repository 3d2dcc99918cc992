package io.keel.chaos.workload;

/** A deliberately broken task-queue worker, to show the checker catches it. */
public enum TaskSabotage {
  NONE,
  /**
   * One ACCEPT in ten is recorded as acknowledged but never sent: its lock expires and the task is
   * delivered again, as a worker that acknowledged before the broker committed would see.
   */
  UNSENT_ACCEPTS
}
