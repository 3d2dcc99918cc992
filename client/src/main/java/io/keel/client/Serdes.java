package io.keel.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Serializers and deserializers for common types. Each handles null as null. */
public final class Serdes {
  private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();

  private Serdes() {}

  public static Serializer<byte[]> bytesSerializer() {
    return (topic, data) -> data;
  }

  public static Deserializer<byte[]> bytesDeserializer() {
    return (topic, data) -> data;
  }

  public static Serializer<String> stringSerializer() {
    return (topic, data) -> data == null ? null : data.getBytes(StandardCharsets.UTF_8);
  }

  public static Deserializer<String> stringDeserializer() {
    return (topic, data) -> data == null ? null : new String(data, StandardCharsets.UTF_8);
  }

  /** Big-endian 8 bytes, like Kafka's LongSerializer. */
  public static Serializer<Long> longSerializer() {
    return (topic, data) -> data == null ? null : ByteBuffer.allocate(8).putLong(data).array();
  }

  public static Deserializer<Long> longDeserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      if (data.length != 8) {
        throw new SerializationException(
            "a Long needs exactly 8 bytes, got " + data.length + " (topic " + topic + ")");
      }
      return ByteBuffer.wrap(data).getLong();
    };
  }

  /** JSON via Jackson. */
  public static <T> Serializer<T> jsonSerializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      try {
        return MAPPER.writeValueAsBytes(data);
      } catch (IOException e) {
        throw new SerializationException("cannot write JSON for topic " + topic, e);
      }
    };
  }

  public static <T> Deserializer<T> jsonDeserializer(Class<T> type) {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      try {
        return MAPPER.readValue(data, type);
      } catch (IOException e) {
        throw new SerializationException(
            "cannot read " + type.getSimpleName() + " JSON from topic " + topic, e);
      }
    };
  }
}
