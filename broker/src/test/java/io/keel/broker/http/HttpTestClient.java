package io.keel.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A JSON-over-HTTP client for tests: every call returns status, headers and parsed body. */
final class HttpTestClient {
  record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    String errorCode() {
      return body.path("error").path("code").asText();
    }

    String errorField() {
      return body.path("error").path("field").asText();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  Reply send(int port, String method, String path, String body) {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(40))
            .header("Content-Type", "application/json")
            .method(method, publisher)
            .build();
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      boolean json =
          r.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
      JsonNode parsed =
          r.body().isEmpty() || !json
              ? JSON.getNodeFactory().textNode(r.body())
              : JSON.readTree(r.body());
      return new Reply(r.statusCode(), parsed, r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Reply get(int port, String path) {
    return send(port, "GET", path, null);
  }

  Reply post(int port, String path, String body) {
    return send(port, "POST", path, body);
  }
}
