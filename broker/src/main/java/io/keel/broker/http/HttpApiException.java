package io.keel.broker.http;

import io.keel.proto.ErrorCode;
import io.keel.proto.ErrorDetail;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request the API refuses, with the HTTP status to answer, Keel's error code (or a share group's
 * {@code ShareErrorCode}) and, for bad input, the JSON field or query parameter at fault ({@code
 * null} when no single field is).
 */
final class HttpApiException extends RuntimeException {
  private final HttpResponseStatus status;
  private final String code;
  private final String field;

  HttpApiException(HttpResponseStatus status, ErrorCode code, String field, String message) {
    this(status, code.name(), field, message);
  }

  /** With a code outside {@link ErrorCode}: a share group's {@code ShareErrorCode}. */
  HttpApiException(HttpResponseStatus status, String code, String field, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** Bad input in {@code field}: 400 INVALID_REQUEST. */
  static HttpApiException badField(String field, String message) {
    return new HttpApiException(
        HttpResponseStatus.BAD_REQUEST, ErrorCode.INVALID_REQUEST, field, field + ": " + message);
  }

  static HttpApiException notFound(ErrorCode code, String message) {
    return new HttpApiException(HttpResponseStatus.NOT_FOUND, code, null, message);
  }

  /** The error a broker answered with, mapped to its HTTP status. */
  static HttpApiException of(ErrorDetail error) {
    return new HttpApiException(
        ErrorStatus.of(error.getCode()), error.getCode(), null, error.getMessage());
  }

  HttpResponseStatus status() {
    return status;
  }

  /** The error code's name. */
  String code() {
    return code;
  }

  String field() {
    return field;
  }
}
