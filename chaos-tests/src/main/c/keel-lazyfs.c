/*
 * keel-lazyfs: a FUSE pass-through file system that can forget what was never fsynced.
 *
 * Usage: keel-lazyfs BACKING MOUNTPOINT CONTROL_SOCKET NAME   (NAME: the mount's fsname)
 *
 * Every operation goes straight through to BACKING/root, so reads are plain pass-through. What a
 * power loss could take away is kept as undo information:
 *
 *  - file data: per backing inode, a stack of undo records (size before the write, and the old
 *    bytes a write overwrote inside that size). fsync/fdatasync of any descriptor of the inode
 *    clears its stack ("the disk has it") and fsyncs the backing file.
 *  - directory entries: a journal of create, mkdir, unlink, rmdir, rename and link. An unlinked
 *    or replaced file is moved to BACKING/trash instead of being removed, so it can come back.
 *    fsync of a directory D commits the journal up to the last entry that touches D (a name in D),
 *    including every older entry: journals commit in order, as on ext4. Committing deletes the
 *    trashed files. A file's own fsync does not make its name durable (POSIX; RocksDB fsyncs the
 *    directory itself).
 *
 * Commands on the control socket (one line in, one line out):
 *   drop           undo every unsynced write and directory change (newest first), then refuse
 *                  every further operation with EIO until unmounted: the power went out
 *   torn SEED      like drop, but per file a random prefix of its unsynced writes survives, the
 *                  last one of them cut at a random byte (a torn write)
 *   full on|off    writes, allocations, creates and mkdirs fail with ENOSPC; statfs shows 0 free
 *   low on|off     statfs shows 0 free while writes still succeed: a disk past its owner's
 *                  free-space threshold (storage.min.free.bytes) that still has headroom
 *   fsync-error on|off   fsync, fdatasync and directory fsync fail with EIO and commit nothing
 *   writeback MS   like the kernel's flusher (dirty_expire_centisecs): a file's unsynced changes,
 *                  and journal entries, become durable MS after the file was first dirtied;
 *                  0 (the default) means never
 *   stats          pending files, undo records, bytes and journal entries
 * Replies start with "ok" or "error".
 *
 * One mutex serialises every change and its undo record; reads and the backing fsync run outside
 * it. Built at test time by the Keel chaos harness (io.keel.chaos.fs.LazyFs) with the machine's C
 * compiler and libfuse3.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ---- state ---------------------------------------------------------------------------- */

/* Undo of one change to a file: restore pre (old bytes at off), then truncate to size_before. */
struct undo {
  off_t off;
  off_t len; /* bytes the change wrote (0 for truncate/fallocate) */
  off_t size_before;
  long long at_ms; /* when the change was made, for writeback */
  char *pre;
  size_t pre_len;
  struct undo *older;
};

struct pending_file {
  dev_t dev;
  ino_t ino;
  int fd; /* own descriptor, valid even after the name is gone */
  struct undo *newest;
  size_t count;
  struct pending_file *next;
};

enum jtype { J_CREATE, J_MKDIR, J_UNLINK, J_RMDIR, J_RENAME, J_LINK };

struct jentry {
  enum jtype type;
  char *a;     /* the name created/removed, or the rename source */
  char *b;     /* rename/link target */
  char *trash; /* where a removed or replaced entry waits, or NULL */
  int trash_is_dir;
  mode_t mode;
  long long at_ms;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int root_fd = -1;
static int trash_fd = -1;
static struct pending_file *pending;
static struct jentry *journal;
static size_t journal_len, journal_cap;
static unsigned long trash_seq;
static int frozen, full, low, fsync_error;
static long long writeback_ms;
static char ctl_path[108];

static const char *rel(const char *path) {
  if (!path) return ".";
  while (*path == '/') path++;
  return *path ? path : ".";
}

static void die(const char *what) {
  fprintf(stderr, "keel-lazyfs: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* The parent directory of a relative name, "." for the root. Caller frees. */
static char *parent_of(const char *name) {
  const char *slash = strrchr(name, '/');
  return slash ? strndup(name, (size_t)(slash - name)) : strdup(".");
}

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- file data undo --------------------------------------------------------------------- */

static struct pending_file *find_pending(int fd, int create) {
  struct stat st;
  if (fstat(fd, &st) != 0) return NULL;
  for (struct pending_file *p = pending; p; p = p->next) {
    if (p->dev == st.st_dev && p->ino == st.st_ino) return p;
  }
  if (!create) return NULL;
  struct pending_file *p = calloc(1, sizeof *p);
  p->dev = st.st_dev;
  p->ino = st.st_ino;
  p->fd = dup(fd);
  if (p->fd < 0) die("dup");
  p->next = pending;
  pending = p;
  return p;
}

static void free_undo(struct undo *u) {
  while (u) {
    struct undo *older = u->older;
    free(u->pre);
    free(u);
    u = older;
  }
}

/* Records how to undo a change of [off, off+len) (or a resize to off) about to be made to fd. */
static int record_change(int fd, off_t off, off_t len, off_t new_size_min) {
  struct stat st;
  if (fstat(fd, &st) != 0) return -errno;
  struct pending_file *p = find_pending(fd, 1);
  if (!p) return -EIO;
  off_t size = st.st_size;
  /* Old bytes the change overwrites inside the old size: [off, min(end, size)). A shrink
     (new_size_min < size, len 0) loses [new_size_min, size). */
  off_t from = off, to = off + len;
  if (len == 0 && new_size_min < size) {
    from = new_size_min;
    to = size;
  }
  if (to > size) to = size;
  size_t pre_len = from < to ? (size_t)(to - from) : 0;
  struct undo *n = p->newest;
  /* Consecutive appends coalesce: one truncate undoes them all. */
  if (pre_len == 0 && len > 0 && n && n->pre_len == 0 && n->len > 0 && off == n->off + n->len &&
      off >= size && size == n->off + n->len) {
    n->len += len;
    return 0;
  }
  struct undo *u = calloc(1, sizeof *u);
  u->off = from < to ? from : off;
  u->len = len;
  u->size_before = size;
  u->at_ms = now_ms();
  if (pre_len > 0) {
    u->pre = malloc(pre_len);
    ssize_t got = pread(fd, u->pre, pre_len, from);
    if (got != (ssize_t)pre_len) {
      free(u->pre);
      free(u);
      return -EIO;
    }
    u->pre_len = pre_len;
  }
  u->older = p->newest;
  p->newest = u;
  p->count++;
  return 0;
}

static void undo_one(int fd, struct undo *u) {
  if (u->pre_len > 0 && pwrite(fd, u->pre, u->pre_len, u->off) != (ssize_t)u->pre_len) {
    fprintf(stderr, "keel-lazyfs: restoring old bytes failed: %s\n", strerror(errno));
  }
  if (ftruncate(fd, u->size_before) != 0) {
    fprintf(stderr, "keel-lazyfs: restoring size failed: %s\n", strerror(errno));
  }
}

/* A fixed, seedable generator, so a torn drop replays from its seed. */
static uint64_t rng_state;
static uint64_t next_random(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* Undoes a file's unsynced changes; with torn, a random prefix survives, its last one cut. */
static void drop_file(struct pending_file *p, int torn, long long *bytes) {
  size_t keep = torn ? (size_t)(next_random() % (p->count + 1)) : 0; /* oldest changes kept */
  size_t index = p->count;
  for (struct undo *u = p->newest; u; u = u->older) {
    index--;
    if (index < keep) break;
    if (torn && index == keep && u->len > 0) {
      /* The last surviving write is torn: only a prefix of it reached the disk. */
      off_t cut = (off_t)(next_random() % (uint64_t)u->len);
      char *prefix = NULL;
      if (cut > 0) {
        prefix = malloc((size_t)cut);
        if (pread(p->fd, prefix, (size_t)cut, u->off) != cut) cut = 0;
      }
      undo_one(p->fd, u);
      if (cut > 0 && pwrite(p->fd, prefix, (size_t)cut, u->off) != cut) {
        fprintf(stderr, "keel-lazyfs: torn write failed: %s\n", strerror(errno));
      }
      free(prefix);
      *bytes += u->len - cut;
      break;
    }
    undo_one(p->fd, u);
    *bytes += u->len;
  }
}

static void commit_file(struct pending_file *p) {
  free_undo(p->newest);
  p->newest = NULL;
  p->count = 0;
}

/* ---- directory journal ------------------------------------------------------------------ */

static void journal_add(enum jtype type, const char *a, const char *b, char *trash, int trash_is_dir,
                        mode_t mode) {
  if (journal_len == journal_cap) {
    journal_cap = journal_cap ? journal_cap * 2 : 64;
    journal = realloc(journal, journal_cap * sizeof *journal);
  }
  journal[journal_len++] = (struct jentry){
      type, strdup(a), b ? strdup(b) : NULL, trash, trash_is_dir, mode, now_ms()};
}

static void free_entry(struct jentry *e) {
  free(e->a);
  free(e->b);
  free(e->trash);
}

/* Moves an existing entry to the trash, returning its trash name (NULL if it did not exist). */
static char *to_trash(const char *name, int *is_dir, int *err) {
  struct stat st;
  *err = 0;
  if (fstatat(root_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno != ENOENT) *err = -errno;
    return NULL;
  }
  *is_dir = S_ISDIR(st.st_mode);
  char *t = malloc(32);
  snprintf(t, 32, "t%lu", ++trash_seq);
  if (renameat(root_fd, name, trash_fd, t) != 0) {
    *err = -errno;
    free(t);
    return NULL;
  }
  return t;
}

static int touches(const struct jentry *e, const char *dir) {
  char *pa = parent_of(e->a);
  int hit = strcmp(pa, dir) == 0;
  free(pa);
  if (!hit && e->b) {
    char *pb = parent_of(e->b);
    hit = strcmp(pb, dir) == 0;
    free(pb);
  }
  return hit;
}

/* Makes the first upto entries durable: their trashed files are gone for good. */
static void commit_journal_prefix(size_t upto) {
  for (size_t i = 0; i < upto; i++) {
    struct jentry *e = &journal[i];
    if (e->trash && unlinkat(trash_fd, e->trash, e->trash_is_dir ? AT_REMOVEDIR : 0) != 0) {
      fprintf(stderr, "keel-lazyfs: purging trash %s: %s\n", e->trash, strerror(errno));
    }
    free_entry(e);
  }
  memmove(journal, journal + upto, (journal_len - upto) * sizeof *journal);
  journal_len -= upto;
}

static void commit_journal(const char *dir) {
  size_t upto = 0;
  for (size_t i = 0; i < journal_len; i++) {
    if (touches(&journal[i], dir)) upto = i + 1;
  }
  commit_journal_prefix(upto);
}

/* The flusher: changes older than writeback_ms reach the disk, oldest first. */
static void write_back(void) {
  long long cutoff = now_ms() - writeback_ms;
  for (struct pending_file *p = pending; p; p = p->next) {
    struct undo **link = &p->newest;
    size_t kept = 0;
    while (*link && (*link)->at_ms > cutoff) {
      link = &(*link)->older;
      kept++;
    }
    free_undo(*link);
    *link = NULL;
    p->count = kept;
  }
  size_t upto = 0;
  while (upto < journal_len && journal[upto].at_ms <= cutoff) upto++;
  commit_journal_prefix(upto);
}

static void *writeback_loop(void *arg) {
  (void)arg;
  for (;;) {
    usleep(100 * 1000);
    pthread_mutex_lock(&lock);
    if (writeback_ms > 0 && !frozen) write_back();
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

static void warn_undo(const char *what, const char *name) {
  fprintf(stderr, "keel-lazyfs: undo %s %s: %s\n", what, name, strerror(errno));
}

static void undo_entry(struct jentry *e) {
  switch (e->type) {
    case J_CREATE:
    case J_LINK: {
      const char *name = e->type == J_LINK ? e->b : e->a;
      if (unlinkat(root_fd, name, 0) != 0) warn_undo("create", name);
      break;
    }
    case J_MKDIR:
      if (unlinkat(root_fd, e->a, AT_REMOVEDIR) != 0) warn_undo("mkdir", e->a);
      break;
    case J_UNLINK:
      if (renameat(trash_fd, e->trash, root_fd, e->a) != 0) warn_undo("unlink", e->a);
      break;
    case J_RMDIR:
      if (mkdirat(root_fd, e->a, e->mode) != 0) warn_undo("rmdir", e->a);
      break;
    case J_RENAME:
      if (renameat(root_fd, e->b, root_fd, e->a) != 0) warn_undo("rename", e->b);
      if (e->trash && renameat(trash_fd, e->trash, root_fd, e->b) != 0) warn_undo("replace", e->b);
      break;
  }
}

/* Power loss: every unsynced change undone, newest first; the file system then stays frozen. */
static void drop_all(int torn, char *reply, size_t reply_len) {
  long long bytes = 0;
  size_t files = 0, entries = journal_len;
  for (struct pending_file *p = pending; p; p = p->next) {
    if (p->count > 0) files++;
    drop_file(p, torn, &bytes);
  }
  for (size_t i = journal_len; i > 0; i--) {
    undo_entry(&journal[i - 1]);
    free_entry(&journal[i - 1]);
  }
  journal_len = 0;
  while (pending) {
    struct pending_file *next = pending->next;
    commit_file(pending);
    close(pending->fd);
    free(pending);
    pending = next;
  }
  frozen = 1;
  snprintf(reply, reply_len, "ok dropped files=%zu bytes=%lld entries=%zu", files, bytes, entries);
}

/* ---- FUSE operations -------------------------------------------------------------------- */

#define ENTER()          \
  pthread_mutex_lock(&lock); \
  if (frozen) {          \
    pthread_mutex_unlock(&lock); \
    return -EIO;         \
  }
#define LEAVE(rc)              \
  do {                         \
    pthread_mutex_unlock(&lock); \
    return (rc);               \
  } while (0)

static void *lfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg);

static int lfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
  int rc = fi ? fstat((int)fi->fh, st) : fstatat(root_fd, rel(path), st, AT_SYMLINK_NOFOLLOW);
  return rc == 0 ? 0 : -errno;
}

static int lfs_readlink(const char *path, char *buf, size_t size) {
  ssize_t n = readlinkat(root_fd, rel(path), buf, size - 1);
  if (n < 0) return -errno;
  buf[n] = 0;
  return 0;
}

static int lfs_mkdir(const char *path, mode_t mode) {
  ENTER();
  if (full) LEAVE(-ENOSPC);
  if (mkdirat(root_fd, rel(path), mode) != 0) LEAVE(-errno);
  journal_add(J_MKDIR, rel(path), NULL, NULL, 0, mode);
  LEAVE(0);
}

static int lfs_unlink(const char *path) {
  ENTER();
  int is_dir = 0, err;
  char *t = to_trash(rel(path), &is_dir, &err);
  if (!t) LEAVE(err ? err : -ENOENT);
  journal_add(J_UNLINK, rel(path), NULL, t, is_dir, 0);
  LEAVE(0);
}

static int lfs_rmdir(const char *path) {
  ENTER();
  struct stat st;
  if (fstatat(root_fd, rel(path), &st, AT_SYMLINK_NOFOLLOW) != 0) LEAVE(-errno);
  if (unlinkat(root_fd, rel(path), AT_REMOVEDIR) != 0) LEAVE(-errno);
  journal_add(J_RMDIR, rel(path), NULL, NULL, 0, st.st_mode & 07777);
  LEAVE(0);
}

static int lfs_symlink(const char *target, const char *path) {
  ENTER();
  if (full) LEAVE(-ENOSPC);
  if (symlinkat(target, root_fd, rel(path)) != 0) LEAVE(-errno);
  journal_add(J_CREATE, rel(path), NULL, NULL, 0, 0);
  LEAVE(0);
}

static int lfs_rename(const char *from, const char *to, unsigned int flags) {
  if (flags & ~RENAME_NOREPLACE) return -EINVAL;
  ENTER();
  struct stat st;
  if (fstatat(root_fd, rel(from), &st, AT_SYMLINK_NOFOLLOW) != 0) LEAVE(-errno);
  int is_dir = 0, err = 0;
  char *t = NULL;
  if (strcmp(rel(from), rel(to)) != 0) {
    if ((flags & RENAME_NOREPLACE) && fstatat(root_fd, rel(to), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      LEAVE(-EEXIST);
    }
    t = to_trash(rel(to), &is_dir, &err);
    if (err) LEAVE(err);
  }
  if (renameat(root_fd, rel(from), root_fd, rel(to)) != 0) {
    int e = -errno;
    if (t && renameat(trash_fd, t, root_fd, rel(to)) != 0) warn_undo("failed rename", rel(to));
    free(t);
    LEAVE(e);
  }
  journal_add(J_RENAME, rel(from), rel(to), t, is_dir, 0);
  LEAVE(0);
}

static int lfs_link(const char *from, const char *to) {
  ENTER();
  if (linkat(root_fd, rel(from), root_fd, rel(to), 0) != 0) LEAVE(-errno);
  journal_add(J_LINK, rel(from), rel(to), NULL, 0, 0);
  LEAVE(0);
}

static int lfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
  int rc = fi ? fchmod((int)fi->fh, mode) : fchmodat(root_fd, rel(path), mode, 0);
  return rc == 0 ? 0 : -errno;
}

static int lfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
  int rc = fi ? fchown((int)fi->fh, uid, gid)
              : fchownat(root_fd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW);
  return rc == 0 ? 0 : -errno;
}

static int resize(int fd, off_t size) {
  struct stat st;
  if (fstat(fd, &st) != 0) return -errno;
  if (full && size > st.st_size) return -ENOSPC;
  int rc = record_change(fd, size, 0, size);
  if (rc != 0) return rc;
  return ftruncate(fd, size) == 0 ? 0 : -errno;
}

static int lfs_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
  ENTER();
  int rc;
  if (fi) {
    rc = resize((int)fi->fh, size);
  } else {
    int fd = openat(root_fd, rel(path), O_RDWR);
    if (fd < 0) LEAVE(-errno);
    rc = resize(fd, size);
    close(fd);
  }
  LEAVE(rc);
}

static int open_flags(int flags) {
  /* The kernel passes each write's offset; O_APPEND on the backing file would ignore it. Undo
     records read the old bytes, so a write-only open is read-write underneath (the kernel checks
     the caller's access mode). */
  flags &= ~(O_APPEND | O_CREAT | O_EXCL | O_TRUNC);
  if ((flags & O_ACCMODE) == O_WRONLY) flags = (flags & ~O_ACCMODE) | O_RDWR;
  return flags;
}

static int lfs_open(const char *path, struct fuse_file_info *fi) {
  ENTER();
  int fd = openat(root_fd, rel(path), open_flags(fi->flags));
  if (fd < 0) LEAVE(-errno);
  fi->fh = (uint64_t)fd;
  if (fi->flags & O_TRUNC) {
    int rc = resize(fd, 0);
    if (rc != 0) {
      close(fd);
      LEAVE(rc);
    }
  }
  LEAVE(0);
}

static int lfs_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
  ENTER();
  struct stat st;
  int existed = fstatat(root_fd, rel(path), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!existed && full) LEAVE(-ENOSPC);
  if (existed && (fi->flags & O_EXCL)) LEAVE(-EEXIST);
  int fd = openat(root_fd, rel(path), open_flags(fi->flags) | O_CREAT, mode);
  if (fd < 0) LEAVE(-errno);
  fi->fh = (uint64_t)fd;
  if (!existed) {
    journal_add(J_CREATE, rel(path), NULL, NULL, 0, mode);
  } else if (fi->flags & O_TRUNC) {
    int rc = resize(fd, 0);
    if (rc != 0) {
      close(fd);
      LEAVE(rc);
    }
  }
  LEAVE(0);
}

static int lfs_read(const char *path, char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi) {
  (void)path;
  if (frozen) return -EIO;
  ssize_t n = pread((int)fi->fh, buf, size, off);
  return n >= 0 ? (int)n : -errno;
}

static int lfs_write(const char *path, const char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi) {
  (void)path;
  ENTER();
  int fd = (int)fi->fh;
  if (full) LEAVE(-ENOSPC);
  int rc = record_change(fd, off, (off_t)size, 0);
  if (rc != 0) LEAVE(rc);
  ssize_t n = pwrite(fd, buf, size, off);
  LEAVE(n >= 0 ? (int)n : -errno);
}

static int lfs_statfs(const char *path, struct statvfs *sv) {
  (void)path;
  if (fstatvfs(root_fd, sv) != 0) return -errno;
  if (full || low) {
    sv->f_bfree = 0;
    sv->f_bavail = 0;
  }
  return 0;
}

static int lfs_flush(const char *path, struct fuse_file_info *fi) {
  (void)path;
  (void)fi;
  return 0; /* close() is not a sync */
}

static int lfs_release(const char *path, struct fuse_file_info *fi) {
  (void)path;
  close((int)fi->fh);
  return 0;
}

static int lfs_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)path;
  ENTER();
  if (fsync_error) LEAVE(-EIO);
  struct pending_file *p = find_pending((int)fi->fh, 0);
  if (p) commit_file(p);
  pthread_mutex_unlock(&lock);
  int rc = datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh);
  return rc == 0 ? 0 : -errno;
}

static int lfs_opendir(const char *path, struct fuse_file_info *fi) {
  int fd = openat(root_fd, rel(path), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return -errno;
  fi->fh = (uint64_t)fd;
  return 0;
}

static int lfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                       struct fuse_file_info *fi, enum fuse_readdir_flags flags) {
  (void)path;
  (void)off;
  (void)flags;
  if (frozen) return -EIO;
  int fd = dup((int)fi->fh);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d) {
    if (fd >= 0) close(fd);
    return -errno;
  }
  rewinddir(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    struct stat st = {.st_ino = e->d_ino, .st_mode = (mode_t)DTTOIF(e->d_type)};
    if (fill(buf, e->d_name, &st, 0, 0)) break;
  }
  closedir(d);
  return 0;
}

static int lfs_releasedir(const char *path, struct fuse_file_info *fi) {
  (void)path;
  close((int)fi->fh);
  return 0;
}

/* A directory removed while open has no path: its entries are gone anyway. */
static int lfs_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)datasync;
  ENTER();
  if (fsync_error) LEAVE(-EIO);
  if (path) commit_journal(rel(path));
  pthread_mutex_unlock(&lock);
  return fsync((int)fi->fh) == 0 ? 0 : -errno;
}

static int lfs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
  int rc = fi ? futimens((int)fi->fh, tv) : utimensat(root_fd, rel(path), tv, AT_SYMLINK_NOFOLLOW);
  return rc == 0 ? 0 : -errno;
}

static int lfs_fallocate(const char *path, int mode, off_t off, off_t len,
                         struct fuse_file_info *fi) {
  (void)path;
  if (mode & ~FALLOC_FL_KEEP_SIZE) return -EOPNOTSUPP;
  ENTER();
  int fd = (int)fi->fh;
  if (full) LEAVE(-ENOSPC);
  if (!(mode & FALLOC_FL_KEEP_SIZE)) {
    struct stat st;
    if (fstat(fd, &st) != 0) LEAVE(-errno);
    if (off + len > st.st_size) {
      int rc = record_change(fd, off + len, 0, off + len);
      if (rc != 0) LEAVE(rc);
    }
  }
  LEAVE(fallocate(fd, mode, off, len) == 0 ? 0 : -errno);
}

/* ---- control socket --------------------------------------------------------------------- */

static void handle(const char *cmd, char *reply, size_t n) {
  char arg[64] = "";
  unsigned long long seed = 0;
  pthread_mutex_lock(&lock);
  if (frozen) {
    snprintf(reply, n, "error frozen: the power is out; unmount");
  } else if (strcmp(cmd, "drop") == 0) {
    drop_all(0, reply, n);
  } else if (sscanf(cmd, "torn %llu", &seed) == 1) {
    rng_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
    drop_all(1, reply, n);
  } else if (sscanf(cmd, "full %63s", arg) == 1 && (!strcmp(arg, "on") || !strcmp(arg, "off"))) {
    full = strcmp(arg, "on") == 0;
    snprintf(reply, n, "ok full=%s", arg);
  } else if (sscanf(cmd, "low %63s", arg) == 1 && (!strcmp(arg, "on") || !strcmp(arg, "off"))) {
    low = strcmp(arg, "on") == 0;
    snprintf(reply, n, "ok low=%s", arg);
  } else if (sscanf(cmd, "fsync-error %63s", arg) == 1 &&
             (!strcmp(arg, "on") || !strcmp(arg, "off"))) {
    fsync_error = strcmp(arg, "on") == 0;
    snprintf(reply, n, "ok fsync-error=%s", arg);
  } else if (sscanf(cmd, "writeback %llu", &seed) == 1) {
    writeback_ms = (long long)seed;
    snprintf(reply, n, "ok writeback=%lldms", writeback_ms);
  } else if (strcmp(cmd, "stats") == 0) {
    size_t files = 0, records = 0;
    long long bytes = 0;
    for (struct pending_file *p = pending; p; p = p->next) {
      if (p->count) files++;
      records += p->count;
      for (struct undo *u = p->newest; u; u = u->older) bytes += u->len;
    }
    snprintf(reply, n, "ok files=%zu records=%zu bytes=%lld entries=%zu full=%d fsync-error=%d",
             files, records, bytes, journal_len, full, fsync_error);
  } else {
    snprintf(reply, n,
             "error unknown command '%s' (drop, torn SEED, full on|off, low on|off, fsync-error on|off, "
             "writeback MS, stats)",
             cmd);
  }
  pthread_mutex_unlock(&lock);
}

static void *control_loop(void *arg) {
  int server = (int)(intptr_t)arg;
  for (;;) {
    int c = accept(server, NULL, NULL);
    if (c < 0) {
      if (errno == EINTR) continue;
      return NULL;
    }
    char cmd[256];
    size_t len = 0;
    while (len < sizeof cmd - 1) {
      ssize_t r = read(c, cmd + len, 1);
      if (r <= 0 || cmd[len] == '\n') break;
      len++;
    }
    cmd[len] = 0;
    char reply[512];
    handle(cmd, reply, sizeof reply);
    size_t rl = strlen(reply);
    reply[rl++] = '\n';
    if (write(c, reply, rl) < 0) {
      /* the caller went away; nothing to tell */
    }
    close(c);
  }
}

/* The socket appears once the kernel has initialised the mount: its existence means "ready". */
static void *lfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
  (void)conn;
  cfg->use_ino = 1;
  cfg->hard_remove = 1; /* no .fuse_hidden files: unlink goes to our trash */
  cfg->nullpath_ok = 0; /* fsyncdir needs the directory's path */
  int server = socket(AF_UNIX, SOCK_STREAM, 0);
  if (server < 0) die("socket");
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", ctl_path);
  unlink(ctl_path);
  if (bind(server, (struct sockaddr *)&addr, sizeof addr) != 0) die("bind control socket");
  if (listen(server, 8) != 0) die("listen");
  pthread_t t;
  pthread_create(&t, NULL, control_loop, (void *)(intptr_t)server);
  pthread_detach(t);
  pthread_create(&t, NULL, writeback_loop, NULL);
  pthread_detach(t);
  return NULL;
}

static void lfs_destroy(void *data) {
  (void)data;
  unlink(ctl_path);
}

static const struct fuse_operations ops = {
    .init = lfs_init,
    .destroy = lfs_destroy,
    .getattr = lfs_getattr,
    .readlink = lfs_readlink,
    .mkdir = lfs_mkdir,
    .unlink = lfs_unlink,
    .rmdir = lfs_rmdir,
    .symlink = lfs_symlink,
    .rename = lfs_rename,
    .link = lfs_link,
    .chmod = lfs_chmod,
    .chown = lfs_chown,
    .truncate = lfs_truncate,
    .open = lfs_open,
    .create = lfs_create,
    .read = lfs_read,
    .write = lfs_write,
    .statfs = lfs_statfs,
    .flush = lfs_flush,
    .release = lfs_release,
    .fsync = lfs_fsync,
    .opendir = lfs_opendir,
    .readdir = lfs_readdir,
    .releasedir = lfs_releasedir,
    .fsyncdir = lfs_fsyncdir,
    .utimens = lfs_utimens,
    .fallocate = lfs_fallocate,
};

/* Empties BACKING/trash: what a previous mount left there was removed for good. */
static void empty_dir(int dirfd_) {
  DIR *d = fdopendir(dup(dirfd_));
  if (!d) die("opendir trash");
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (unlinkat(dirfd_, e->d_name, 0) != 0 && errno == EISDIR) {
      int sub = openat(dirfd_, e->d_name, O_RDONLY | O_DIRECTORY);
      if (sub >= 0) {
        empty_dir(sub);
        close(sub);
      }
      unlinkat(dirfd_, e->d_name, AT_REMOVEDIR);
    } else if (errno == EPERM || errno == EISDIR) {
      unlinkat(dirfd_, e->d_name, AT_REMOVEDIR);
    }
  }
  closedir(d);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s BACKING MOUNTPOINT CONTROL_SOCKET NAME\n", argv[0]);
    return 2;
  }
  int backing = open(argv[1], O_RDONLY | O_DIRECTORY);
  if (backing < 0) die(argv[1]);
  mkdirat(backing, "root", 0755);
  mkdirat(backing, "trash", 0755);
  root_fd = openat(backing, "root", O_RDONLY | O_DIRECTORY);
  trash_fd = openat(backing, "trash", O_RDONLY | O_DIRECTORY);
  if (root_fd < 0 || trash_fd < 0) die("backing root/trash");
  close(backing);
  empty_dir(trash_fd);
  if (strlen(argv[3]) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
    fprintf(stderr, "keel-lazyfs: control socket path too long: %s\n", argv[3]);
    return 2;
  }
  snprintf(ctl_path, sizeof ctl_path, "%s", argv[3]);
  umask(0);
  char options[512];
  snprintf(options, sizeof options, "fsname=%s,subtype=keel-lazyfs", argv[4]);
  char *fargv[] = {argv[0], argv[2], "-f", "-o", options, NULL};
  return fuse_main(5, fargv, &ops, NULL);
}
