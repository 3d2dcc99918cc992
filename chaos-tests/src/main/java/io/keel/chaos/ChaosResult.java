package io.keel.chaos;

import io.keel.chaos.checker.CheckResult;
import java.nio.file.Path;

/**
 * The outcome of a chaos run.
 *
 * @param valid the checker found no anomaly that counts
 * @param runDirectory the report directory (index.html, summary.txt, ...)
 * @param summary the text of summary.txt
 */
public record ChaosResult(
    boolean valid,
    long seed,
    String replayCommand,
    Path runDirectory,
    CheckResult check,
    String summary) {}
