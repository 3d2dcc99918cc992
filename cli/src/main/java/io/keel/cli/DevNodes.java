package io.keel.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/** Finds the processes of a {@code keel dev} cluster from its pid files, and names exit codes. */
final class DevNodes {
  private static final int SIGNAL_EXIT_BASE = 128; // the JDK reports a signal death as 128 + N

  private DevNodes() {}

  /** Records {@code process} in {@code pidFile}: its pid and start time. */
  static void writePidFile(Path pidFile, ProcessHandle process) throws IOException {
    String started = process.info().startInstant().map(Instant::toString).orElse("");
    Files.writeString(pidFile, (process.pid() + " " + started).trim() + "\n");
  }

  /**
   * The process recorded in {@code pidFile}, if it is still alive. A stale file may name a pid the
   * system has since given to another program; the start time recorded with it tells them apart.
   */
  static Optional<ProcessHandle> running(Path pidFile) {
    String[] fields;
    try {
      fields = Files.readString(pidFile).trim().split(" ");
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new CliFailure(ErrorHandler.EXIT_FAILURE, "cannot read " + pidFile + ": " + e, e);
    }
    Optional<ProcessHandle> process;
    try {
      process = ProcessHandle.of(Long.parseLong(fields[0])).filter(ProcessHandle::isAlive);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    String started = fields.length > 1 ? fields[1] : "";
    return process.filter(
        p ->
            started.isEmpty()
                || p.info().startInstant().map(i -> i.toString().equals(started)).orElse(true));
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
