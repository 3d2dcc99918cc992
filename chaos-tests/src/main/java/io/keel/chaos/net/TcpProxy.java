package io.keel.chaos.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback for one directed node link. Bytes from the connecting side (the link's
 * source) go through {@link #forward()}; replies through {@link #backward()}. Each direction of
 * each connection is a reader and a writer thread joined by a bounded queue, so delay is pipelined
 * (like netem) and a blocked link applies back-pressure instead of buffering forever.
 */
final class TcpProxy implements AutoCloseable {
  private static final int CHUNK_BYTES = 16 * 1024;
  private static final int QUEUE_CHUNKS = 64;

  private record Chunk(byte[] bytes, long dueNanos) {}

  private static final Chunk EOF = new Chunk(new byte[0], 0);

  private final String name;
  private final InetSocketAddress upstream;
  private final ServerSocket server;
  private final LinkFault forward = new LinkFault();
  private final LinkFault backward = new LinkFault();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  TcpProxy(String name, InetSocketAddress upstream) {
    this.name = name;
    this.upstream = upstream;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException("proxy " + name + ": cannot listen", e);
    }
    Thread.ofVirtual().name("proxy-accept-" + name).start(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  LinkFault forward() {
    return forward;
  }

  LinkFault backward() {
    return backward;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Thread.ofVirtual().name("proxy-conn-" + name).start(() -> connect(client));
      } catch (IOException e) {
        if (!closed) {
          throw new UncheckedIOException("proxy " + name + ": accept failed", e);
        }
      }
    }
  }

  private void connect(Socket client) {
    sockets.add(client);
    Socket target = new Socket();
    sockets.add(target);
    try {
      client.setTcpNoDelay(true);
      target.setTcpNoDelay(true);
      target.connect(upstream);
    } catch (IOException e) {
      // The node behind us is down: the caller sees its connection close, as with a real RST.
      closeQuietly(client);
      closeQuietly(target);
      return;
    }
    // Both sockets close once both directions have delivered their end of stream.
    AtomicInteger halvesDone = new AtomicInteger();
    Runnable halfDone =
        () -> {
          if (halvesDone.incrementAndGet() == 2) {
            closeQuietly(client);
            closeQuietly(target);
            sockets.remove(client);
            sockets.remove(target);
          }
        };
    pipe(client, target, forward, halfDone);
    pipe(target, client, backward, halfDone);
  }

  private void pipe(Socket from, Socket to, LinkFault fault, Runnable done) {
    BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
    Thread.ofVirtual().name("proxy-read-" + name).start(() -> read(from, to, queue, fault));
    Thread.ofVirtual().name("proxy-write-" + name).start(() -> write(from, to, queue, fault, done));
  }

  private void read(Socket from, Socket to, BlockingQueue<Chunk> queue, LinkFault fault) {
    byte[] buf = new byte[CHUNK_BYTES];
    try {
      // Not try-with-resources: closing a socket's stream closes the socket for both directions.
      InputStream in = from.getInputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        queue.put(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + fault.chunkDelayNanos()));
      }
      queue.put(EOF);
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write(
      Socket from, Socket to, BlockingQueue<Chunk> queue, LinkFault fault, Runnable done) {
    try {
      OutputStream out = to.getOutputStream();
      while (true) {
        Chunk c = queue.take();
        fault.awaitOpen();
        if (c == EOF) {
          to.shutdownOutput();
          done.run();
          return;
        }
        for (long wait = c.dueNanos() - System.nanoTime();
            wait > 0;
            wait = c.dueNanos() - System.nanoTime()) {
          LockSupport.parkNanos(wait);
        }
        out.write(c.bytes());
      }
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    forward.setBlocked(false);
    backward.setBlocked(false);
    sockets.forEach(TcpProxy::closeQuietly);
    sockets.clear();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // Closing is best effort: the peer may already have gone.
    }
  }
}
