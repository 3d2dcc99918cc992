package io.keel.broker.http;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.keel.proto.ErrorCode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /v1} routes of the HTTP/JSON API (docs/api.md, docs/openapi.yaml). Every answer is
 * JSON; every failure is {@code {"error": {"code", "message", "field"?}}} with the status of Keel's
 * error code. At most {@code maxInflight} requests are served at once; more get 429.
 */
final class HttpApi {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

  private final PartitionApi partitions;
  private final AdminApi admin;
  private final GroupMembersApi members;
  private final ShareApi shares;
  private final Semaphore inflight;

  HttpApi(
      PartitionApi partitions,
      AdminApi admin,
      GroupMembersApi members,
      ShareApi shares,
      int maxInflight) {
    this.partitions = partitions;
    this.admin = admin;
    this.members = members;
    this.shares = shares;
    this.inflight = new Semaphore(maxInflight);
  }

  CompletableFuture<HttpReply> handle(HttpMethod method, String uri, byte[] body) {
    if (!inflight.tryAcquire()) {
      return CompletableFuture.completedFuture(
          HttpReply.error(
              new HttpApiException(
                  HttpResponseStatus.TOO_MANY_REQUESTS,
                  ErrorCode.REQUEST_TIMED_OUT,
                  null,
                  "too many requests in flight on this node; retry after a moment")));
    }
    CompletableFuture<HttpReply> reply;
    try {
      reply = route(method, new QueryStringDecoder(uri), body);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    return reply.exceptionally(HttpApi::errorReply).whenComplete((r, e) -> inflight.release());
  }

  private CompletableFuture<HttpReply> route(
      HttpMethod method, QueryStringDecoder uri, byte[] body) {
    List<String> p = Arrays.stream(uri.path().split("/")).filter(s -> !s.isEmpty()).toList();
    HttpQuery query = new HttpQuery(uri.parameters());
    int n = p.size();
    if (n < 2 || !p.get(0).equals("v1")) {
      throw notFound(uri.path());
    }
    String root = p.get(1);
    if (root.equals("cluster") && n == 2) {
      return only(method, HttpMethod.GET, () -> admin.cluster());
    }
    if (root.equals("topics")) {
      if (n == 2) {
        return method.equals(HttpMethod.POST)
            ? admin.createTopic(body)
            : only(method, HttpMethod.GET, () -> admin.listTopics(query));
      }
      if (n == 3) {
        return only(method, HttpMethod.GET, () -> admin.describeTopic(p.get(2)));
      }
      if (n == 4 && p.get(3).equals("records")) {
        return only(method, HttpMethod.POST, () -> partitions.produce(p.get(2), body));
      }
      if (n == 6 && p.get(3).equals("partitions") && p.get(5).equals("records")) {
        return only(method, HttpMethod.GET, () -> partitions.fetch(p.get(2), p.get(4), query));
      }
    }
    if (root.equals("groups") && n >= 4 && p.get(3).equals("members")) {
      String group = p.get(2);
      if (n == 4) {
        return only(method, HttpMethod.POST, () -> members.create(group, body));
      }
      String member = p.get(4);
      if (n == 5) {
        return only(method, HttpMethod.DELETE, () -> members.close(group, member));
      }
      if (n == 6 && p.get(5).equals("records")) {
        return only(method, HttpMethod.GET, () -> members.poll(group, member, query));
      }
      if (n == 6 && p.get(5).equals("commit")) {
        return only(method, HttpMethod.POST, () -> members.commit(group, member, body));
      }
    }
    if (root.equals("share-groups") && n >= 3) {
      String group = p.get(2);
      if (n == 3) {
        return only(method, HttpMethod.GET, () -> shares.describe(group));
      }
      if (n == 4 && p.get(3).equals("poll")) {
        return only(method, HttpMethod.POST, () -> shares.poll(group, body));
      }
      if (n == 4 && p.get(3).equals("acks")) {
        return only(method, HttpMethod.POST, () -> shares.acknowledge(group, body));
      }
      if (n == 5 && p.get(3).equals("members")) {
        return only(method, HttpMethod.DELETE, () -> shares.leave(group, p.get(4)));
      }
    }
    throw notFound(uri.path());
  }

  private static CompletableFuture<HttpReply> only(
      HttpMethod method,
      HttpMethod allowed,
      java.util.function.Supplier<CompletableFuture<HttpReply>> handler) {
    if (!method.equals(allowed)) {
      throw new HttpApiException(
          HttpResponseStatus.METHOD_NOT_ALLOWED,
          ErrorCode.INVALID_REQUEST,
          null,
          "method " + method + " not allowed here; use " + allowed);
    }
    return handler.get();
  }

  private static HttpApiException notFound(String path) {
    return new HttpApiException(
        HttpResponseStatus.NOT_FOUND, ErrorCode.INVALID_REQUEST, null, "no such route: " + path);
  }

  static HttpReply errorReply(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof HttpApiException e) {
      return HttpReply.error(e);
    }
    if (t instanceof StatusRuntimeException s) {
      boolean deadline = s.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED;
      return HttpReply.error(
          new HttpApiException(
              deadline
                  ? HttpResponseStatus.GATEWAY_TIMEOUT
                  : HttpResponseStatus.SERVICE_UNAVAILABLE,
              deadline ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.LEADER_NOT_AVAILABLE,
              null,
              "forwarding to another node failed: " + s.getStatus()));
    }
    log.warn("HTTP request failed unexpectedly", t);
    return HttpReply.error(
        new HttpApiException(
            HttpResponseStatus.INTERNAL_SERVER_ERROR,
            ErrorCode.UNKNOWN,
            null,
            t.getClass().getSimpleName() + ": " + t.getMessage()));
  }
}
