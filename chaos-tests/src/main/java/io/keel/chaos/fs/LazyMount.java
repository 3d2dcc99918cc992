package io.keel.chaos.fs;

import io.keel.chaos.net.Commands;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One keel-lazyfs mount: {@code mountPoint} shows {@code disk/root}, and the daemon keeps what was
 * not fsynced so that {@link #drop()} can take it away. A power loss is {@link #drop()} (or {@link
 * #torn}) then {@link #remount()}: the fresh mount also starts with an empty kernel cache. Not
 * thread-safe: the cluster harness serialises calls.
 */
public final class LazyMount implements AutoCloseable {
  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

  private final Path binary;
  private final Path disk;
  private final Path mountPoint;
  private final Path socket;
  private final String name;
  private Process daemon;

  private LazyMount(Path binary, Path disk, Path mountPoint, Path socket, String name) {
    this.binary = binary;
    this.disk = disk.toAbsolutePath();
    this.mountPoint = mountPoint.toAbsolutePath();
    this.socket = socket.toAbsolutePath();
    this.name = name;
  }

  /**
   * Mounts {@code disk/root} (created if missing) at {@code mountPoint}.
   *
   * @param socket control socket; at most 107 bytes (Unix socket limit)
   * @param name the mount's fsname, e.g. {@code keel-<runId>-lazyfs-n1} (found by leftover sweeps)
   */
  public static LazyMount mount(Path binary, Path disk, Path mountPoint, Path socket, String name) {
    LazyMount m = new LazyMount(binary, disk, mountPoint, socket, name);
    m.start();
    return m;
  }

  public Path mountPoint() {
    return mountPoint;
  }

  /** The directory that holds the data; readable directly while unmounted. */
  public Path backingRoot() {
    return disk.resolve("root");
  }

  public boolean mounted() {
    return daemon != null && daemon.isAlive();
  }

  private void start() {
    if (mounted()) {
      throw new IllegalStateException(mountPoint + " is already mounted");
    }
    try {
      Files.createDirectories(disk);
      Files.createDirectories(mountPoint);
      Files.deleteIfExists(socket);
      daemon =
          new ProcessBuilder(
                  binary.toString(),
                  disk.toString(),
                  mountPoint.toString(),
                  socket.toString(),
                  name)
              .redirectErrorStream(true)
              .redirectOutput(Redirect.appendTo(disk.resolveSibling("lazyfs.log").toFile()))
              .redirectInput(Redirect.from(new File("/dev/null")))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("starting keel-lazyfs on " + mountPoint, e);
    }
    awaitMounted();
  }

  /** The daemon creates its socket once the kernel has initialised the mount. */
  private void awaitMounted() {
    long deadline = System.nanoTime() + MOUNT_TIMEOUT.toNanos();
    while (true) {
      if (!daemon.isAlive()) {
        throw new IllegalStateException(
            "keel-lazyfs exited (" + daemon.exitValue() + ") mounting " + mountPoint + log());
      }
      if (Files.exists(socket)) {
        try {
          command("stats");
          return;
        } catch (UncheckedIOException e) {
          // Bound but not yet listening: try again.
        }
      }
      if (System.nanoTime() > deadline) {
        unmount();
        throw new IllegalStateException(
            "keel-lazyfs did not mount " + mountPoint + " within " + MOUNT_TIMEOUT + log());
      }
      try {
        Thread.sleep(20); // the daemon's mount is asynchronous; poll for its socket
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        unmount();
        throw new IllegalStateException("interrupted mounting " + mountPoint, e);
      }
    }
  }

  private String log() {
    try {
      return "\n" + Files.readString(disk.resolveSibling("lazyfs.log")).strip();
    } catch (IOException e) {
      return "";
    }
  }

  /** Sends one control command; returns the reply, throws if the daemon answers "error". */
  public String command(String command) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
      ByteBuffer in = ByteBuffer.allocate(1024);
      while (ch.read(in) >= 0 && in.hasRemaining()) {
        // read until the daemon closes
      }
      String reply = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
      if (!reply.startsWith("ok")) {
        throw new IllegalStateException(
            "keel-lazyfs on " + mountPoint + " refused '" + command + "': " + reply);
      }
      return reply;
    } catch (IOException e) {
      throw new UncheckedIOException("keel-lazyfs control " + socket + ": " + command, e);
    }
  }

  /** Power loss: every unsynced write and directory change is undone; the mount then fails all. */
  public String drop() {
    return command("drop");
  }

  /** Power loss mid-write: per file a random prefix of the unsynced writes survives, torn. */
  public String torn(long seed) {
    return command("torn " + seed);
  }

  /** While on, writes and new files fail with ENOSPC. */
  public String full(boolean on) {
    return command("full " + (on ? "on" : "off"));
  }

  /**
   * While on, statfs reports no free space but writes still succeed: the disk is past the broker's
   * storage.min.free.bytes threshold, with the headroom that threshold keeps.
   */
  public String low(boolean on) {
    return command("low " + (on ? "on" : "off"));
  }

  /** While on, fsync of files and directories fails with EIO and makes nothing durable. */
  public String fsyncError(boolean on) {
    return command("fsync-error " + (on ? "on" : "off"));
  }

  /**
   * Unsynced changes become durable this long after a file was first dirtied, like the kernel's
   * flusher; zero (the default) means never.
   */
  public String writeback(Duration delay) {
    return command("writeback " + delay.toMillis());
  }

  /** A fresh mount of the same disk, with nothing pending and nothing cached. */
  public void remount() {
    unmount();
    start();
  }

  /** Unmounts (lazily if busy) and waits for the daemon to exit. Unsynced writes stay. */
  public void unmount() {
    if (daemon == null) {
      return;
    }
    if (daemon.isAlive()
        && !Commands.run(List.of("fusermount3", "-u", mountPoint.toString())).ok()) {
      Commands.run(List.of("umount", "-l", mountPoint.toString()));
    }
    try {
      if (!daemon.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        daemon.destroyForcibly().waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Commands.run(List.of("umount", "-l", mountPoint.toString()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      daemon.destroyForcibly();
      Commands.run(List.of("umount", "-l", mountPoint.toString()));
    }
    daemon = null;
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // a stale socket is replaced on the next mount
    }
  }

  @Override
  public void close() {
    unmount();
  }
}
