package io.keel.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time and resident memory of the broker processes, from {@code /proc/<pid>/stat} (utime +
 * stime) and {@code /proc/<pid>/status} (VmRSS): steadier than throughput on a noisy machine.
 */
public final class ProcessStats {
  // USER_HZ: 100 on every Linux architecture the JDK runs on (sysconf(_SC_CLK_TCK)).
  private static final double TICKS_PER_SECOND = 100;

  private final List<Long> pids;

  public ProcessStats(List<Long> pids) {
    this.pids = List.copyOf(pids);
  }

  public boolean isEmpty() {
    return pids.isEmpty();
  }

  /** CPU seconds (user + system) the processes have used so far, summed. */
  public double cpuSeconds() {
    long ticks = 0;
    for (long pid : pids) {
      String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name, which is in parentheses and may hold spaces.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    }
    return ticks / TICKS_PER_SECOND;
  }

  /** Resident set size of the largest process, in MiB. */
  public double maxRssMiB() {
    long maxKiB = 0;
    for (long pid : pids) {
      for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
        if (line.startsWith("VmRSS:")) {
          maxKiB = Math.max(maxKiB, Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
      }
    }
    return maxKiB / 1024.0;
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + " (is the broker still running?)", e);
    }
  }
}
