package io.keel.client;

/** Turns bytes back into a key or value. Null stays null. */
@FunctionalInterface
public interface Deserializer<T> {
  T deserialize(String topic, byte[] data);
}
