package io.keel.logstore;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the kernel which clean pages of a file it may drop from its page cache ({@code
 * posix_fadvise(POSIX_FADV_DONTNEED)}, through JNA). The advice only saves memory and the cost of
 * taking fresh pages; nothing depends on it for correctness, so where it is unavailable (not Linux,
 * no libc) every handle is {@link #NONE} and does nothing.
 */
final class PageCache {
  private static final Logger log = LoggerFactory.getLogger(PageCache.class);
  private static final int POSIX_FADV_DONTNEED = 4; // Linux's value
  private static final boolean LINKED = link();
  // The kernel keeps the partial pages at the edges of a range: ranges are cut on page boundaries.
  private static final long PAGE = LINKED ? getpagesize() : 4096;

  /** A file whose cache is left to the kernel. */
  static final Handle NONE = new Handle(null, -1);

  private PageCache() {}

  private static boolean link() {
    if (!Platform.isLinux()) {
      return false;
    }
    try {
      Native.register(PageCache.class, Platform.C_LIBRARY_NAME);
      return true;
    } catch (LinkageError | RuntimeException e) {
      log.warn("page-cache advice unavailable, synced segments stay cached: {}", e.toString());
      return false;
    }
  }

  // fopen, not open: open is variadic, which JNA's direct mapping cannot call safely.
  private static native Pointer fopen(String path, String mode);

  private static native int fileno(Pointer file);

  private static native int fclose(Pointer file);

  private static native int posix_fadvise(int fd, long offset, long length, int advice);

  private static native int getpagesize();

  /** A read-only handle on {@code path} for advice, or {@link #NONE} if none can be had. */
  static Handle open(Path path) {
    if (!LINKED) {
      return NONE;
    }
    Pointer file = fopen(path.toString(), "re"); // e: O_CLOEXEC
    return file == null ? NONE : new Handle(file, fileno(file));
  }

  /**
   * One open file and how much of it the cache was told to drop. Advice after {@link #close} does
   * nothing; the fd number cannot be reused by another file while the handle holds it.
   */
  static final class Handle {
    private final Pointer file;
    private final int fd;
    private long droppedTo; // [0, droppedTo) was advised out
    private long lastReadStart; // page where the last read behind droppedTo began
    private boolean closed;

    private Handle(Pointer file, int fd) {
      this.file = file;
      this.fd = fd;
    }

    /** Drops the clean pages before byte {@code to} (only ever further). */
    synchronized void dropBefore(long to) {
      long page = to - Math.floorMod(to, PAGE);
      if (page > droppedTo) {
        advise(droppedTo, page);
        droppedTo = page;
      }
    }

    /** True when all of {@code [from, to)} lies in the part the cache was told to drop. */
    synchronized boolean dropped(long from, long to) {
      return file != null && from < to && to <= droppedTo;
    }

    /**
     * After a read of {@code [from, to)} in the dropped part: drops the pages from where the last
     * such read began up to this one's start, or all of the part once a read reaches its end. Not
     * the read range itself: the kernel has read ahead of it, and dropping the pages a reader is
     * about to use makes every read wait for the disk (readahead pages of a reader further behind
     * may go, which it then reads again).
     */
    synchronized void dropReadBack(long from, long to) {
      if (from >= droppedTo) {
        return;
      }
      long start = from - Math.floorMod(from, PAGE);
      if (to >= droppedTo) {
        advise(0, droppedTo);
      } else {
        advise(lastReadStart, start);
      }
      lastReadStart = start;
    }

    synchronized void close() {
      if (file != null && !closed) {
        closed = true;
        fclose(file);
      }
    }

    private void advise(long from, long to) {
      if (file != null && !closed && to > from) {
        posix_fadvise(fd, from, to - from, POSIX_FADV_DONTNEED); // only advice: result unneeded
      }
    }
  }
}
