package io.keel.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SerdesTest {
  record Order(String id, int quantity) {}

  @Test
  void roundTrips() {
    assertEquals(
        "héllo",
        Serdes.stringDeserializer()
            .deserialize("t", Serdes.stringSerializer().serialize("t", "héllo")));
    assertEquals(
        -7L,
        Serdes.longDeserializer().deserialize("t", Serdes.longSerializer().serialize("t", -7L)));
    assertArrayEquals(
        new byte[] {0, 0, 0, 0, 0, 0, 1, 0}, Serdes.longSerializer().serialize("t", 256L));
    Order order = new Order("o-1", 3);
    byte[] json = Serdes.<Order>jsonSerializer().serialize("t", order);
    assertEquals(
        "{\"id\":\"o-1\",\"quantity\":3}",
        new String(json, java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(order, Serdes.jsonDeserializer(Order.class).deserialize("t", json));
  }

  @Test
  void nullStaysNull() {
    assertNull(Serdes.stringSerializer().serialize("t", null));
    assertNull(Serdes.longDeserializer().deserialize("t", null));
    assertNull(Serdes.jsonDeserializer(Order.class).deserialize("t", null));
  }

  @Test
  void badInputIsATypedError() {
    assertThrows(
        SerializationException.class,
        () -> Serdes.longDeserializer().deserialize("t", new byte[3]));
    assertThrows(
        SerializationException.class,
        () -> Serdes.jsonDeserializer(Order.class).deserialize("t", new byte[] {'{'}));
  }
}
