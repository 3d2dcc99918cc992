package io.keel.chaos.nemesis;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Every fault the nemesis can inject, by its command-line name. */
public enum FaultKind {
  KILL_NODE("kill-node"),
  KILL_LEADER("kill-leader"),
  KILL_CONTROLLER("kill-controller"),
  KILL_TWO("kill-two"),
  PAUSE_NODE("pause-node"),
  PAUSE_LEADER("pause-leader"),
  PAUSE_CONTROLLER("pause-controller"),
  ISOLATE_NODE("isolate-node"),
  ISOLATE_LEADER("isolate-leader"),
  HALVES("halves"),
  BRIDGE("bridge"),
  ONE_WAY("one-way"),
  NETEM("netem"),
  ROLLING_RESTART("rolling-restart"),
  POWER_LOSS_NODE("power-loss-node"),
  POWER_LOSS_MINORITY("power-loss-minority"),
  POWER_LOSS_ALL("power-loss-all"),
  BITFLIP("bitflip"),
  TRUNCATE_FILE("truncate-file"),
  DELETE_FILE("delete-file"),
  DISK_FULL("disk-full"),
  WIPE_NODE("wipe-node"),
  FSYNC_ERROR("fsync-error");

  private final String cliName;

  FaultKind(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  /** Whether this fault needs the nodes' data directories on keel-lazyfs (FUSE). */
  public boolean needsLazyDisk() {
    return switch (this) {
      case POWER_LOSS_NODE, POWER_LOSS_MINORITY, POWER_LOSS_ALL, DISK_FULL, FSYNC_ERROR -> true;
      default -> false;
    };
  }

  /** Whether any of these faults needs lazy disks. */
  public static boolean needLazyDisks(Set<FaultKind> kinds) {
    return kinds.stream().anyMatch(FaultKind::needsLazyDisk);
  }

  /**
   * Parses a comma-separated list of fault names or groups: kill, pause, partition, restart, power,
   * disk, full, wipe, all.
   */
  public static Set<FaultKind> parse(String csv) {
    Set<FaultKind> out = EnumSet.noneOf(FaultKind.class);
    for (String raw : csv.split(",")) {
      String name = raw.strip().toLowerCase(Locale.ROOT);
      if (!name.isEmpty()) {
        out.addAll(expand(name));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("faults must name at least one fault; " + valid());
    }
    return out;
  }

  private static Set<FaultKind> expand(String name) {
    return switch (name) {
      case "kill" -> EnumSet.of(KILL_NODE, KILL_LEADER, KILL_CONTROLLER);
      case "pause" -> EnumSet.of(PAUSE_NODE, PAUSE_LEADER, PAUSE_CONTROLLER);
      case "partition" -> EnumSet.of(ISOLATE_NODE, ISOLATE_LEADER, HALVES, BRIDGE, ONE_WAY);
      case "restart" -> EnumSet.of(ROLLING_RESTART);
      case "power" -> EnumSet.of(POWER_LOSS_NODE, POWER_LOSS_MINORITY, POWER_LOSS_ALL);
      case "disk" -> EnumSet.of(BITFLIP, TRUNCATE_FILE, DELETE_FILE);
      case "full" -> EnumSet.of(DISK_FULL);
      case "wipe" -> EnumSet.of(WIPE_NODE);
      case "all" -> EnumSet.allOf(FaultKind.class);
      default ->
          EnumSet.of(
              Arrays.stream(values())
                  .filter(k -> k.cliName.equals(name))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "faults: unknown fault '" + name + "'; " + valid())));
    };
  }

  private static String valid() {
    List<String> names = Arrays.stream(values()).map(FaultKind::cliName).toList();
    return "valid: kill, pause, partition, restart, power, disk, full, wipe, all, "
        + names.stream().collect(Collectors.joining(", "));
  }

  /** The canonical comma-separated form, for replay commands. */
  public static String format(Set<FaultKind> kinds) {
    return kinds.stream().sorted().map(FaultKind::cliName).collect(Collectors.joining(","));
  }
}
