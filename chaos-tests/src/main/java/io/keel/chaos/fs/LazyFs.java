package io.keel.chaos.fs;

import io.keel.chaos.net.Commands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The harness's FUSE file system that loses unsynced writes ({@code src/main/c/keel-lazyfs.c}). It
 * is compiled on first use with the machine's C compiler against libfuse3 (Debian: {@code fuse3
 * libfuse3-dev}), cached under {@code $TMPDIR/keel-lazyfs/<source hash>/}, and probed with a trial
 * mount. {@link #probe()} says whether it works here and, if not, why.
 */
public final class LazyFs {
  static final String SOURCE = "keel-lazyfs.c";

  /** Whether FUSE faults can run here: the binary, or the reason they cannot. */
  public record Support(Path binary, String problem) {
    public boolean available() {
      return problem == null;
    }
  }

  private static Support probed;

  private LazyFs() {}

  /** Builds and test-mounts once per JVM; later calls return the same answer. */
  public static synchronized Support probe() {
    if (probed == null) {
      probed = doProbe();
    }
    return probed;
  }

  private static Support doProbe() {
    if (!Files.exists(Path.of("/dev/fuse"))) {
      return new Support(null, "no /dev/fuse (FUSE is not available in this kernel or container)");
    }
    if (!Commands.run(List.of("pkg-config", "--exists", "fuse3")).ok()) {
      return new Support(
          null,
          "libfuse3 development files not found (pkg-config fuse3; apt-get install fuse3"
              + " libfuse3-dev pkg-config)");
    }
    Path binary;
    try {
      binary = build();
    } catch (RuntimeException e) {
      return new Support(null, "cannot build keel-lazyfs: " + e.getMessage());
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("keel-lazyfs-probe");
      try (LazyMount m =
          LazyMount.mount(
              binary, dir.resolve("disk"), dir.resolve("mnt"), dir.resolve("ctl"), "keel-probe")) {
        Path f = m.mountPoint().resolve("probe");
        Files.writeString(f, "probe");
        m.drop();
        m.unmount();
        if (Files.exists(m.backingRoot().resolve("probe"))) {
          return new Support(null, "trial mount kept an unsynced file after drop");
        }
      }
      return new Support(binary, null);
    } catch (IOException | RuntimeException e) {
      return new Support(null, "trial FUSE mount failed: " + e.getMessage());
    } finally {
      deleteTree(dir);
    }
  }

  /** Compiles the file system unless this source was compiled before; returns the binary. */
  static Path build() {
    byte[] source = source();
    Path dir =
        Path.of(
            System.getProperty("java.io.tmpdir"), "keel-lazyfs", sha256(source).substring(0, 16));
    Path binary = dir.resolve("keel-lazyfs");
    if (Files.isExecutable(binary)) {
      return binary;
    }
    try {
      Files.createDirectories(dir);
      // Private source and output names: concurrent builds (other JVMs) must not mix files.
      Path work = Files.createTempDirectory(dir, "build");
      Path src = work.resolve(SOURCE);
      Files.write(src, source);
      String flags = Commands.check("pkg-config", "--cflags", "--libs", "fuse3");
      Path tmp = work.resolve("keel-lazyfs");
      List<String> cc =
          new ArrayList<>(
              List.of(compiler(), "-O2", "-Wall", "-o", tmp.toString(), src.toString()));
      cc.addAll(List.of(flags.split("\\s+")));
      Commands.check(cc);
      Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      deleteTree(work);
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException("building keel-lazyfs in " + dir, e);
    }
  }

  private static String compiler() {
    String cc = System.getenv("CC");
    return cc != null && !cc.isBlank() ? cc : "cc";
  }

  private static byte[] source() {
    try (InputStream in = LazyFs.class.getResourceAsStream(SOURCE)) {
      if (in == null) {
        throw new IllegalStateException(SOURCE + " is not on the classpath (io/keel/chaos/fs)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + SOURCE, e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + dir, e);
    }
  }
}
