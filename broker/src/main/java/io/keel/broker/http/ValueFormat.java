package io.keel.broker.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.keel.proto.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * How keys, values and header values travel in JSON: {@code text} (a JSON string, stored as UTF-8),
 * {@code json} (any JSON value, stored as its compact text) or {@code base64} (a base64 string,
 * stored as the decoded bytes). JSON null is a null key or value either way.
 */
enum ValueFormat {
  TEXT,
  JSON,
  BASE64;

  static ValueFormat parse(String text, String field) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "text" -> TEXT;
      case "json" -> JSON;
      case "base64" -> BASE64;
      default ->
          throw HttpApiException.badField(
              field, "expected \"text\", \"json\" or \"base64\", got \"" + text + "\"");
    };
  }

  /** The bytes to store for {@code value} (null for JSON null or absent). */
  byte[] encode(JsonNode value, String field) {
    if (value == null || value.isNull()) {
      return null;
    }
    return switch (this) {
      case TEXT -> {
        if (!value.isTextual()) {
          throw HttpApiException.badField(
              field, "format text expects a string, got " + JsonInput.kind(value));
        }
        yield value.textValue().getBytes(StandardCharsets.UTF_8);
      }
      case JSON -> {
        try {
          yield JsonInput.MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
          throw HttpApiException.badField(field, "cannot be written as JSON: " + e.getMessage());
        }
      }
      case BASE64 -> {
        if (!value.isTextual()) {
          throw HttpApiException.badField(
              field, "format base64 expects a string, got " + JsonInput.kind(value));
        }
        try {
          yield Base64.getDecoder().decode(value.textValue());
        } catch (IllegalArgumentException e) {
          throw HttpApiException.badField(field, "not valid base64: " + e.getMessage());
        }
      }
    };
  }

  /** The JSON form of stored bytes; {@code what} names them in an error (a 422). */
  JsonNode decode(byte[] bytes, String what) {
    if (bytes == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    return switch (this) {
      case TEXT -> JsonNodeFactory.instance.textNode(utf8(bytes, what));
      case JSON -> {
        try {
          yield JsonInput.MAPPER.readTree(bytes);
        } catch (java.io.IOException e) {
          throw undecodable(what + " is not valid JSON; read it with format=text or base64");
        }
      }
      case BASE64 -> JsonNodeFactory.instance.textNode(Base64.getEncoder().encodeToString(bytes));
    };
  }

  private static String utf8(byte[] bytes, String what) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw undecodable(what + " is not valid UTF-8; read it with format=base64");
    }
  }

  private static HttpApiException undecodable(String message) {
    return new HttpApiException(
        HttpResponseStatus.UNPROCESSABLE_ENTITY, ErrorCode.INVALID_REQUEST, "format", message);
  }
}
