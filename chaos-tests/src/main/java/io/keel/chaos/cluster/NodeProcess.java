package io.keel.chaos.cluster;

import io.keel.chaos.net.Commands;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One broker node across restarts: the same command, data directory and (appended) log file; a new
 * OS process each time it starts. Not thread-safe: the harness serialises calls.
 */
final class NodeProcess {
  private static final Duration STOP_WAIT = Duration.ofSeconds(2);

  private final int id;
  private final List<String> command;
  private final Path logFile;
  private Process process;
  private boolean paused;

  NodeProcess(int id, List<String> command, Path logFile) {
    this.id = id;
    this.command = List.copyOf(command);
    this.logFile = logFile;
  }

  int id() {
    return id;
  }

  Path logFile() {
    return logFile;
  }

  boolean running() {
    return process != null && process.isAlive();
  }

  boolean paused() {
    return paused && running();
  }

  long pid() {
    if (!running()) {
      throw new IllegalStateException("node " + id + " is not running");
    }
    return process.pid();
  }

  void start() {
    if (running()) {
      throw new IllegalStateException("node " + id + " is already running (pid " + pid() + ")");
    }
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(Redirect.appendTo(logFile.toFile()))
              .redirectInput(Redirect.from(new File("/dev/null")))
              .start();
      paused = false;
    } catch (IOException e) {
      throw new UncheckedIOException("starting node " + id + ": " + command, e);
    }
  }

  /** SIGKILL without waiting. */
  void signalKill() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  /** SIGKILL, then waits until the OS has reaped the process. */
  void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "node " + id + " (pid " + process.pid() + ") survived kill -9");
    }
    paused = false;
  }

  /** SIGTERM (resuming first if paused), then SIGKILL if it has not exited in time. */
  void terminate(Duration grace) throws InterruptedException {
    if (!running()) {
      return;
    }
    if (paused) {
      resume();
    }
    process.destroy();
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
    }
    paused = false;
  }

  void pause() {
    long pid = pid();
    Commands.check("kill", "-STOP", Long.toString(pid));
    paused = true;
    awaitStopped(pid);
  }

  /**
   * SIGSTOP takes effect asynchronously; on a loaded machine a thread may still finish a reply.
   * Waits (Linux: /proc state T) so that "paused" means no thread runs any more.
   */
  private static void awaitStopped(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
    try {
      while (Files.exists(stat) && System.nanoTime() < deadline) {
        String s = Files.readString(stat);
        // Format: pid (comm) state ...; comm may contain spaces, so look after the last ')'.
        if (s.substring(s.lastIndexOf(')') + 2).startsWith("T")) {
          return;
        }
        Thread.sleep(5); // signal delivery is asynchronous; poll its effect
      }
    } catch (IOException e) {
      // The process exited meanwhile: nothing left running.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void resume() {
    Commands.check("kill", "-CONT", Long.toString(pid()));
    paused = false;
  }
}
