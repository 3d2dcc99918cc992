package io.keel.broker.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/** A response before it is written: status, content type, body and an optional Retry-After. */
record HttpReply(
    HttpResponseStatus status, String contentType, byte[] body, int retryAfterSeconds) {
  static final String JSON = "application/json";

  static HttpReply json(HttpResponseStatus status, Object body) {
    try {
      return new HttpReply(status, JSON, JsonInput.MAPPER.writeValueAsBytes(body), 0);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a response as JSON", e);
    }
  }

  static HttpReply ok(Object body) {
    return json(HttpResponseStatus.OK, body);
  }

  static HttpReply text(HttpResponseStatus status, String contentType, String body) {
    return new HttpReply(status, contentType, body.getBytes(StandardCharsets.UTF_8), 0);
  }

  static HttpReply noContent() {
    return new HttpReply(HttpResponseStatus.NO_CONTENT, JSON, new byte[0], 0);
  }

  /** {@code {"error": {"code", "message", "field"?}}}, with Retry-After when retriable. */
  static HttpReply error(HttpApiException e) {
    ObjectNode root = JsonInput.MAPPER.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("code", e.code());
    error.put("message", e.getMessage());
    if (e.field() != null) {
      error.put("field", e.field());
    }
    HttpReply reply = json(e.status(), root);
    return ErrorStatus.retriable(e.status())
        ? new HttpReply(e.status(), JSON, reply.body, ErrorStatus.RETRY_AFTER_SECONDS)
        : reply;
  }
}
