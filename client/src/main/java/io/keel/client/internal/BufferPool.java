package io.keel.client.internal;

import io.keel.client.BufferExhaustedException;
import io.keel.client.KeelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Accounts for the bytes of records the producer holds (buffer.memory). {@link #acquire} blocks
 * until enough is released or max.block.ms passes. Fair: waiters are served in arrival order.
 */
public final class BufferPool {
  private final long totalBytes;
  private final ReentrantLock lock = new ReentrantLock(true);
  private final Condition released = lock.newCondition();
  private long availableBytes; // Invariant: 0 <= availableBytes <= totalBytes
  private int waiters;
  private boolean closed;

  public BufferPool(long totalBytes) {
    Checks.arg(totalBytes > 0, "buffer.memory must be > 0, was %s", totalBytes);
    this.totalBytes = totalBytes;
    this.availableBytes = totalBytes;
  }

  /**
   * Takes {@code bytes}, waiting up to {@code waitMs} (what is left of the caller's {@code
   * maxBlockMs}, named in the error).
   */
  public void acquire(long bytes, long waitMs, long maxBlockMs) {
    Checks.arg(bytes <= totalBytes, "%s bytes exceed buffer.memory=%s", bytes, totalBytes);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
    lock.lock();
    try {
      waiters++;
      while (availableBytes < bytes) {
        if (closed) {
          throw new KeelException("producer closed while send() waited for buffer memory");
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new BufferExhaustedException(
              "buffer.memory="
                  + totalBytes
                  + " bytes stayed full for max.block.ms="
                  + maxBlockMs
                  + "; needed "
                  + bytes
                  + " bytes, "
                  + availableBytes
                  + " free");
        }
        released.awaitNanos(remaining);
      }
      availableBytes -= bytes;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeelException("interrupted waiting for buffer memory", e);
    } finally {
      waiters--;
      lock.unlock();
    }
  }

  public void release(long bytes) {
    lock.lock();
    try {
      availableBytes += bytes;
      Checks.state(availableBytes <= totalBytes, "released more than acquired: %s", availableBytes);
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** True while some send() waits for memory: the sender should not linger then. */
  public boolean hasWaiters() {
    lock.lock();
    try {
      return waiters > 0;
    } finally {
      lock.unlock();
    }
  }

  public long availableBytes() {
    lock.lock();
    try {
      return availableBytes;
    } finally {
      lock.unlock();
    }
  }

  public void close() {
    lock.lock();
    try {
      closed = true;
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
