package io.keel.logstore;

/** Who reads a frame, which decides whether synced bytes behind the cached tail skip the cache. */
enum ReadKind {
  /**
   * Raft reads (followers catching up) and recovery, often on an event loop: through the page
   * cache, where sequential reads have the kernel's readahead and never wait on the disk one by
   * one.
   */
  LOG,
  /**
   * Consumer fetches, on fetch threads: around the page cache behind the tail ({@code O_DIRECT}).
   */
  FETCH
}
