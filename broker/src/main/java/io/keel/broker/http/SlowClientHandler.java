package io.keel.broker.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Sheds slow and idle clients on reader-idle events: a request still arriving is answered 408 and
 * closed; a connection with nothing in progress is closed; one waiting for a response (a long poll)
 * is left alone. Sits between the HTTP codec and the aggregator. Runs on one event loop.
 */
final class SlowClientHandler extends ChannelDuplexHandler {
  private boolean receiving;
  private int awaitingResponses;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      receiving = true;
      awaitingResponses++;
    }
    if (msg instanceof LastHttpContent) {
      receiving = false;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean interim =
        msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (msg instanceof LastHttpContent && !interim && awaitingResponses > 0) {
      awaitingResponses--;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (!(evt instanceof IdleStateEvent idle) || idle.state() != IdleState.READER_IDLE) {
      super.userEventTriggered(ctx, evt);
      return;
    }
    if (receiving) {
      receiving = false;
      FullHttpResponse timeout =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.EMPTY_BUFFER);
      timeout.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
      timeout.headers().set(HttpHeaderNames.CONNECTION, "close");
      ctx.writeAndFlush(timeout).addListener(ChannelFutureListener.CLOSE);
    } else if (awaitingResponses == 0) {
      ctx.close();
    }
  }
}
