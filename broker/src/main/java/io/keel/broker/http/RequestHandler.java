package io.keel.broker.http;

import io.keel.proto.ErrorCode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Serves one connection's requests: health and metrics here, {@code /v1} through {@link HttpApi}.
 * Replies are written when their future completes, from whichever thread completes it.
 */
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpApi api;
  private final Supplier<String> metrics;
  private final BooleanSupplier ready;

  RequestHandler(HttpApi api, Supplier<String> metrics, BooleanSupplier ready) {
    this.api = api;
    this.metrics = metrics;
    this.ready = ready;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (request.decoderResult().isFailure()) {
      write(ctx, badRequest(request.decoderResult().cause()), false);
      return;
    }
    String uri = request.uri();
    String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    CompletableFuture<HttpReply> reply =
        switch (path) {
          case "/metrics" ->
              CompletableFuture.completedFuture(
                  HttpReply.text(HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.get()));
          case "/health/live" ->
              CompletableFuture.completedFuture(
                  HttpReply.text(HttpResponseStatus.OK, "text/plain", "live\n"));
          case "/health/ready" -> CompletableFuture.completedFuture(readiness());
          default -> api.handle(request.method(), uri, ByteBufUtil.getBytes(request.content()));
        };
    reply.thenAccept(r -> write(ctx, r, keepAlive));
  }

  private HttpReply readiness() {
    boolean isReady = ready.getAsBoolean();
    return HttpReply.text(
        isReady ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
        "text/plain",
        isReady ? "ready\n" : "not ready\n");
  }

  private static HttpReply badRequest(Throwable cause) {
    return HttpReply.error(
        new HttpApiException(
            HttpResponseStatus.BAD_REQUEST,
            ErrorCode.INVALID_REQUEST,
            null,
            "malformed HTTP request: " + cause.getMessage()));
  }

  private static void write(ChannelHandlerContext ctx, HttpReply reply, boolean keepAlive) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, reply.status(), Unpooled.wrappedBuffer(reply.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
    if (reply.retryAfterSeconds() > 0) {
      response.headers().setInt(HttpHeaderNames.RETRY_AFTER, reply.retryAfterSeconds());
    }
    HttpUtil.setKeepAlive(response, keepAlive);
    ChannelFuture written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset connection; nothing to answer
  }
}
