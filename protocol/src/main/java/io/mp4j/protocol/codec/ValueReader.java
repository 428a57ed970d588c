package io.mp4j.protocol.codec;

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
}
