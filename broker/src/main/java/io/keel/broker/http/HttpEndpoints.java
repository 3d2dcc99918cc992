package io.keel.broker.http;

import io.keel.broker.config.HostPort;
import io.keel.broker.controller.MetadataView;
import io.keel.broker.share.ShareSettings;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.KeelShareGrpc;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The node's HTTP server (Netty), accepting once constructed: {@code /metrics} (Prometheus text),
 * {@code /health/live} (200 while the process runs), {@code /health/ready} (200 once registered
 * with the controller and caught up on metadata, 503 before) and the {@code /v1} HTTP/JSON API
 * (docs/api.md). The API calls this node's client and share services in-process and forwards to
 * other nodes over gRPC where a partition's leader or a group's coordinator lives elsewhere.
 */
public final class HttpEndpoints implements AutoCloseable {
  private static final int MAX_INITIAL_LINE_BYTES = 8192;
  private static final int MAX_HEADER_BYTES = 16384;
  private static final int MAX_CHUNK_BYTES = 65536;

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ScheduledExecutorService timer;
  private final NodeCalls calls;
  private final GroupMembersApi members;
  private final ConnectionLimiter limiter;
  private final Channel channel;

  public HttpEndpoints(
      HostPort address,
      HttpSettings settings,
      Supplier<String> metrics,
      BooleanSupplier ready,
      int nodeId,
      KeelClientGrpc.AsyncService clientService,
      KeelShareGrpc.AsyncService shareService,
      ShareSettings shareSettings,
      MetadataView metadata,
      InstantSource clock) {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("http-" + nodeId + "-timer").daemon().factory());
    calls =
        new NodeCalls(nodeId, new NodeCalls.LocalServices(clientService, shareService), metadata);
    Leaders leaders = new Leaders(metadata);
    PartitionApi partitions = new PartitionApi(calls, leaders, clock, settings.maxBatchBytes());
    members = new GroupMembersApi(calls, leaders, partitions, timer, clock);
    HttpApi api =
        new HttpApi(
            partitions,
            new AdminApi(calls),
            members,
            new ShareApi(calls, leaders, shareSettings),
            settings.maxInflightRequests());
    limiter = new ConnectionLimiter(settings.maxConnections());
    boss =
        new MultiThreadIoEventLoopGroup(
            1,
            Thread.ofPlatform().name("http-" + nodeId + "-accept").daemon().factory(),
            NioIoHandler.newFactory());
    workers =
        new MultiThreadIoEventLoopGroup(
            2,
            Thread.ofPlatform().name("http-" + nodeId + "-io", 0).daemon().factory(),
            NioIoHandler.newFactory());
    long readTimeoutMs = settings.readTimeout().toMillis();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 128)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(limiter)
                        .addLast(new IdleStateHandler(readTimeoutMs, 0, 0, TimeUnit.MILLISECONDS))
                        .addLast(
                            new HttpServerCodec(
                                MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, MAX_CHUNK_BYTES))
                        .addLast(new SlowClientHandler())
                        .addLast(new HttpServerKeepAliveHandler())
                        .addLast(new HttpObjectAggregator(settings.maxBodyBytes()))
                        .addLast(new RequestHandler(api, metrics, ready));
                  }
                });
    try {
      channel =
          bootstrap
              .bind(new InetSocketAddress(address.host(), address.port()))
              .syncUninterruptibly()
              .channel();
    } catch (RuntimeException e) {
      close();
      throw new IllegalStateException("cannot bind the HTTP server to " + address, e);
    }
  }

  /** The bound port (useful when configured as 0). */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Connections closed on arrival because {@code http.max.connections} were open. */
  public long shedConnections() {
    return limiter.shed();
  }

  /** HTTP consumer-group members hosted here. */
  public int groupMembers() {
    return members.size();
  }

  @Override
  public void close() {
    if (members != null) {
      members.close();
    }
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    timer.shutdownNow();
    calls.close();
  }
}
