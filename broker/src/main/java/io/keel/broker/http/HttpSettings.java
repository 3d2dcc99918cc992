package io.keel.broker.http;

import io.keel.raft.Checks;
import java.time.Duration;

/**
 * Limits of the HTTP server.
 *
 * @param maxBodyBytes largest request body; a larger one is answered 413 unread
 * @param maxConnections open connections beyond this are closed as they arrive
 * @param maxInflightRequests API requests being served at once; more are answered 429
 * @param readTimeout the longest a connection may go without sending a byte while a request is
 *     arriving (then 408) or while idle between requests (then closed); a long poll in progress is
 *     not idle
 * @param maxBatchBytes largest record batch a produce may build (max.request.bytes)
 */
public record HttpSettings(
    int maxBodyBytes,
    int maxConnections,
    int maxInflightRequests,
    Duration readTimeout,
    int maxBatchBytes) {
  public HttpSettings {
    Checks.arg(maxBodyBytes > 0, "maxBodyBytes must be > 0, was %s", maxBodyBytes);
    Checks.arg(maxConnections > 0, "maxConnections must be > 0, was %s", maxConnections);
    Checks.arg(maxInflightRequests > 0, "maxInflightRequests must be > 0");
    Checks.arg(readTimeout.toMillis() > 0, "readTimeout must be >= 1 ms");
    Checks.arg(maxBatchBytes > 0, "maxBatchBytes must be > 0");
  }
}
