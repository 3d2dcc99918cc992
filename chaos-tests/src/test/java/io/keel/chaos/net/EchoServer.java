package io.keel.chaos.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Echoes bytes back; in-process for proxy tests, or as a process inside a namespace. */
public final class EchoServer implements AutoCloseable {
  private final ServerSocket server;

  public EchoServer(String host, int port) throws IOException {
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(host, port));
    Thread.ofVirtual().start(this::acceptLoop);
  }

  /** Usage: EchoServer host port. Runs until killed. */
  public static void main(String[] args) throws Exception {
    new EchoServer(args[0], Integer.parseInt(args[1]));
    System.out.println("listening");
    System.out.flush();
    Thread.currentThread().join();
  }

  private void acceptLoop() {
    try {
      while (true) {
        Socket s = server.accept();
        Thread.ofVirtual().start(() -> echo(s));
      }
    } catch (IOException e) {
      // Closed.
    }
  }

  private static void echo(Socket s) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // Peer went away.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
