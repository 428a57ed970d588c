package io.mp4j.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mp4j.protocol.Wire;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageUnpacker;

/** Values written by the codec read back into their declared types. */
class CodecTest {
  record Point(int x, int y) {}

  /** Holds fields whose generic types the tests read values into. */
  @SuppressWarnings("unused")
  private static final class Types {
    List<List<Point>> nestedPoints;
    TreeSet<String> sortedWords;
    Map<String, List<Long>> mapOfLists;
  }

  private static Type typeOf(String field) throws NoSuchFieldException {
    return Types.class.getDeclaredField(field).getGenericType();
  }

  private static Object roundTrip(Object value, Type type) throws Exception {
    byte[] bytes = Wire.pack(packer -> Codec.write(packer, value));
    try (MessageUnpacker in = Wire.unpacker(bytes)) {
      return Codec.reader(type).read(in, bytes);
    }
  }

  @Test
  void nestedGenericContainers_readIntoTheirDeclaredTypes() throws Exception {
    List<List<Point>> points = List.of(List.of(new Point(1, 2)), List.of());
    assertEquals(points, roundTrip(points, typeOf("nestedPoints")));
    Object words = roundTrip(Set.of("b", "a"), typeOf("sortedWords"));
    assertEquals(new TreeSet<>(Set.of("a", "b")), words);
    assertTrue(words instanceof TreeSet);
    Map<String, List<Long>> map = Map.of("k", List.of(1L, 2L));
    assertEquals(map, roundTrip(map, typeOf("mapOfLists")));
  }

  @Test
  void primitiveArraysAndScalars_roundTrip() throws Exception {
    assertArrayEquals(new int[] {1, -2}, (int[]) roundTrip(new int[] {1, -2}, int[].class));
    assertArrayEquals(new long[] {1L << 40}, (long[]) roundTrip(new long[] {1L << 40},
        long[].class));
    assertEquals(2.5, roundTrip(2.5, double.class));
    assertEquals('x', roundTrip('x', char.class));
    assertEquals(7L, roundTrip(7, Long.class));
    assertEquals(List.of(1, "a"), roundTrip(List.of(1, "a"), Object.class));
  }

  @Test
  void jdkObjectsThatAreNotData_areRefusedNamingTheirType() {
    CodecException error = assertThrows(CodecException.class,
        () -> Wire.pack(packer -> Codec.write(packer, new Thread())));
    assertTrue(error.getMessage().contains("java.lang.Thread"), error.getMessage());
  }
}
