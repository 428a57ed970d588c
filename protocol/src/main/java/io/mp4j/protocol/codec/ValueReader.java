package io.mp4j.protocol.codec;

import io.mp4j.protocol.Slice;
import io.mp4j.protocol.Wire;
import java.io.IOException;
import org.msgpack.core.MessageUnpacker;

/**
 * Reads the next msgpack value into one Java type. Made by {@link Codec#reader}. Not for users.
 */
@FunctionalInterface
public interface ValueReader {
  /**
   * Reads the next value.
   *
   * @param in the unpacker, created over the whole of {@code source}
   * @param source the bytes the unpacker reads, for readers that hand a raw value to Jackson
   * @return the value, boxed when the type is primitive
   * @throws IOException when the value does not fit the type
   */
  Object read(MessageUnpacker in, byte[] source) throws IOException;

  /**
   * Reads the one value a slice holds, where it lies.
   *
   * @throws IOException when the value does not fit the type
   */
  default Object read(Slice value) throws IOException {
    try (MessageUnpacker in = Wire.unpackerAt(value)) {
      return read(in, value.array());
    }
  }
}
