package io.keel.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the processes of a {@code keel dev} cluster from its pid files, and names exit codes. */
final class DevNodes {
  private static final int SIGNAL_EXIT_BASE = 128; // the JDK reports a signal death as 128 + N

  private DevNodes() {}

  /** The pid in {@code pidFile} if that process is alive and is a Keel JVM. */
  static Optional<ProcessHandle> running(Path pidFile) {
    String text;
    try {
      text = Files.readString(pidFile).trim();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new CliFailure(ErrorHandler.EXIT_FAILURE, "cannot read " + pidFile + ": " + e, e);
    }
    long pid;
    try {
      pid = Long.parseLong(text);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    // A stale file may name a pid the system gave to another program since.
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains("io.keel.")).orElse(true));
  }

  static Optional<Long> runningPid(Path pidFile) {
    return running(pidFile).map(ProcessHandle::pid);
  }

  /** "exit code 1", or "killed by SIGKILL (exit code 137)". */
  static String describeExit(int exitCode) {
    int signal = exitCode - SIGNAL_EXIT_BASE;
    if (signal <= 0 || signal > 64) {
      return "exit code " + exitCode;
    }
    String name =
        switch (signal) {
          case 1 -> "SIGHUP";
          case 2 -> "SIGINT";
          case 6 -> "SIGABRT";
          case 9 -> "SIGKILL";
          case 11 -> "SIGSEGV";
          case 15 -> "SIGTERM";
          default -> "signal " + signal;
        };
    return "killed by " + name + " (exit code " + exitCode + ")";
  }
}
