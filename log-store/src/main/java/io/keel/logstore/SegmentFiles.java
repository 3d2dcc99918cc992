package io.keel.logstore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The segment files of one group, {@code <dataDir>/segments/<groupId>/<fileId>.seg} (file ids are
 * per group and never reused, zero-padded to sort). Open channels are cached; readers on other
 * threads share them.
 */
final class SegmentFiles {
  static final String DIR = "segments";
  private static final String SUFFIX = ".seg";

  final Path dir;
  private final Map<Long, SegmentFile> open = new ConcurrentHashMap<>();
  private volatile boolean dirDirty;
  private volatile long activeId = -1; // the file appends go to; those below it are sealed
  private final Consumer<Path> afterFsync;
  private final long cachedTailBytes;

  SegmentFiles(Path dataDir, long groupId, Consumer<Path> afterFsync, long cachedTailBytes) {
    this.dir = dataDir.resolve(DIR).resolve(Long.toString(groupId));
    this.afterFsync = afterFsync;
    this.cachedTailBytes = cachedTailBytes;
  }

  static String name(long fileId) {
    return String.format("%020d%s", fileId, SUFFIX);
  }

  Path path(long fileId) {
    return dir.resolve(name(fileId));
  }

  /** Creates a new, empty file (its directory entry is fsynced by the next {@link #forceDir}). */
  SegmentFile create(long fileId) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        forceDirectory(dir.getParent());
      }
    } catch (IOException e) {
      throw SegmentFile.error("create segment directory " + dir, e);
    }
    SegmentFile f = SegmentFile.open(fileId, path(fileId), true, afterFsync, cachedTailBytes);
    open.put(fileId, f);
    dirDirty = true;
    activate(fileId);
    return f;
  }

  /** Appends go to {@code fileId} from now on: every older file is sealed. */
  void activate(long fileId) {
    activeId = fileId;
    for (SegmentFile f : open.values()) {
      if (f.id < fileId) {
        f.seal();
      }
    }
  }

  /** An existing file; {@link StoreDamagedException} naming it if it is missing. */
  SegmentFile get(long fileId) {
    SegmentFile f = open.get(fileId);
    if (f != null) {
      return f;
    }
    return open.computeIfAbsent(
        fileId,
        id -> {
          SegmentFile opened = SegmentFile.open(id, path(id), false, afterFsync, cachedTailBytes);
          if (id < activeId) {
            opened.seal();
          }
          return opened;
        });
  }

  boolean exists(long fileId) {
    return open.containsKey(fileId) || Files.exists(path(fileId));
  }

  /** Ids of the files on disk. */
  List<Long> onDisk() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Long> ids = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        String n = p.getFileName().toString();
        if (n.endsWith(SUFFIX)) {
          ids.add(Long.parseLong(n.substring(0, n.length() - SUFFIX.length())));
        }
      }
    } catch (IOException e) {
      throw SegmentFile.error("list segment directory " + dir, e);
    }
    return ids;
  }

  /** The files with unsynced appends, in no order. */
  List<SegmentFile> dirty() {
    return open.values().stream().filter(SegmentFile::dirty).toList();
  }

  /** Fsyncs the directory if a file was created in it since the last call. */
  void forceDir() {
    if (dirDirty) {
      dirDirty = false;
      forceDirectory(dir);
    }
  }

  /** Deletes a file nothing durable points to any more. */
  void delete(long fileId) {
    SegmentFile f = open.remove(fileId);
    if (f != null) {
      f.close();
    }
    try {
      Files.deleteIfExists(path(fileId));
    } catch (IOException e) {
      throw SegmentFile.error("delete segment file " + path(fileId), e);
    }
  }

  /** Deletes every file and the directory (a dropped group, after the drop is durable). */
  void deleteAll() {
    for (long id : onDisk()) {
      delete(id);
    }
    closeAll();
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw SegmentFile.error("delete segment directory " + dir, e);
    }
  }

  void closeAll() {
    for (SegmentFile f : open.values()) {
      f.close();
    }
    open.clear();
  }

  static void forceDirectory(Path d) {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      throw SegmentFile.error("fsync directory " + d, e);
    }
  }
}
