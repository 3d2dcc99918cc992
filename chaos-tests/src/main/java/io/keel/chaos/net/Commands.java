package io.keel.chaos.net;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short-lived system commands (ip, tc, kill) with a deadline. */
public final class Commands {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private Commands() {}

  /** Exit code and combined output. */
  public record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  public static Result run(List<String> command) {
    Path out = null;
    try {
      // Output goes to a file so a hung command cannot block us past the deadline.
      out = Files.createTempFile("keel-cmd", ".out");
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out after " + TIMEOUT + ": " + command);
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return new Result(-1, "cannot run " + command + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    } finally {
      deleteQuietly(out);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A leftover temp file is harmless; the command's result matters more.
      }
    }
  }

  /** Runs the command; throws with its output if it fails. */
  public static String check(List<String> command) {
    Result r = run(command);
    if (!r.ok()) {
      throw new UncheckedIOException(
          new IOException(
              "command failed (exit " + r.exitCode() + "): " + command + "\n" + r.output()));
    }
    return r.output();
  }

  public static String check(String... command) {
    return check(List.of(command));
  }
}
