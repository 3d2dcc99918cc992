package io.keel.chaos.nemesis;

/** A fault kind with its concrete plan and a human description for the history. */
public record PlannedFault(FaultKind kind, Plan plan, String detail) {}
