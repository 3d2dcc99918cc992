package io.keel.chaos.cluster;

import io.keel.chaos.net.Commands;
import io.keel.chaos.net.ResourceNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds and removes what earlier runs left behind (killed before their cleanup ran): broker
 * processes, keel-lazyfs mounts, network namespaces and links. A run registers itself with its
 * owner's pid; resources of runs whose owner is still alive are left alone, so concurrent runs do
 * not hurt each other.
 */
public final class Leftovers {
  private final Path registry;

  public Leftovers(Path registry) {
    this.registry = registry;
  }

  public static Leftovers inTempDir() {
    return new Leftovers(Path.of(System.getProperty("java.io.tmpdir"), "keel-chaos-runs"));
  }

  public void register(String runId) {
    try {
      Files.createDirectories(registry);
      Files.writeString(registry.resolve(runId), Long.toString(ProcessHandle.current().pid()));
    } catch (IOException e) {
      throw new UncheckedIOException("registering run " + runId, e);
    }
  }

  public void unregister(String runId) {
    try {
      Files.deleteIfExists(registry.resolve(runId));
    } catch (IOException e) {
      throw new UncheckedIOException("unregistering run " + runId, e);
    }
  }

  /** Removes every keel- resource not owned by a live run; returns what it removed. */
  public List<String> sweep() {
    Set<String> live = liveRuns();
    List<String> removed = new ArrayList<>();
    killProcesses(live, removed);
    for (String[] mount : lazyMounts()) {
      if (orphan(mount[0], live) && Commands.run(List.of("umount", "-l", mount[1])).ok()) {
        removed.add("mount " + mount[1]);
      }
    }
    for (String ns : namespaces()) {
      if (orphan(ns, live) && Commands.run(List.of("ip", "netns", "del", ns)).ok()) {
        removed.add("namespace " + ns);
      }
    }
    for (String link : links()) {
      if (orphan(link, live) && Commands.run(List.of("ip", "link", "del", link)).ok()) {
        removed.add("link " + link);
      }
    }
    return removed;
  }

  private static boolean orphan(String name, Set<String> live) {
    Optional<String> run = ResourceNames.runIdOf(name);
    return run.isPresent() && !live.contains(run.get());
  }

  private Set<String> liveRuns() {
    Set<String> live = new HashSet<>();
    if (!Files.isDirectory(registry)) {
      return live;
    }
    try (Stream<Path> files = Files.list(registry)) {
      for (Path f : files.toList()) {
        if (ownerAlive(f)) {
          live.add(f.getFileName().toString());
        } else {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading run registry " + registry, e);
    }
    return live;
  }

  private static boolean ownerAlive(Path file) throws IOException {
    try {
      long pid = Long.parseLong(Files.readString(file).strip());
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static void killProcesses(Set<String> live, List<String> removed) {
    ProcessHandle.allProcesses()
        .forEach(
            p -> {
              Optional<String> run =
                  p.info().commandLine().flatMap(ResourceNames::runIdOfCommandLine);
              if (run.isPresent() && !live.contains(run.get()) && p.destroyForcibly()) {
                removed.add("process " + p.pid() + " of run " + run.get());
              }
            });
  }

  /**
   * [fsname, mount point] of every keel-lazyfs mount, from /proc/mounts (its daemon exits once
   * unmounted). Mount points there escape spaces and such as octal.
   */
  private static List<String[]> lazyMounts() {
    Path mounts = Path.of("/proc/mounts");
    if (!Files.isReadable(mounts)) {
      return List.of();
    }
    try {
      return Files.readAllLines(mounts).stream()
          .map(l -> l.split(" "))
          .filter(f -> f.length >= 3 && f[2].equals("fuse.keel-lazyfs"))
          .map(f -> new String[] {f[0], unescape(f[1])})
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String unescape(String field) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static List<String> namespaces() {
    Commands.Result r = Commands.run(List.of("ip", "netns", "list"));
    if (!r.ok()) {
      return List.of();
    }
    return r.output().lines().map(l -> l.split("\\s+")[0]).filter(n -> !n.isEmpty()).toList();
  }

  /** Interface names from {@code ip -o link}: "12: keel-abc123-v1@if2: <...>". */
  private static List<String> links() {
    Commands.Result r = Commands.run(List.of("ip", "-o", "link"));
    if (!r.ok()) {
      return List.of();
    }
    return r.output()
        .lines()
        .map(l -> l.split(":\\s+", 3))
        .filter(parts -> parts.length >= 2)
        .map(parts -> parts[1].split("@")[0])
        .toList();
  }
}
