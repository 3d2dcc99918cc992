package io.keel.client;

/** Turns a key or value into bytes. Null stays null. Must be thread-safe. */
@FunctionalInterface
public interface Serializer<T> {
  byte[] serialize(String topic, T data);
}
