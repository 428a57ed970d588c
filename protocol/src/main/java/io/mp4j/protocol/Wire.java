package io.mp4j.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * Small helpers to build and read msgpack frames. Not for users.
 */
public final class Wire {
  /** The protocol version that HELLO carries; a broker refuses any other. */
  public static final int PROTOCOL_VERSION = 1;

  private Wire() {}

  /** Writes one frame's content. */
  @FunctionalInterface
  public interface Writer {
    /** Writes to the packer. */
    void write(MessageBufferPacker packer) throws IOException;
  }

  /** Builds a frame with the writer. */
  public static byte[] pack(Writer writer) {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      writer.write(packer);
      return packer.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An unpacker over a whole frame. */
  public static MessageUnpacker unpacker(byte[] frame) {
    return MessagePack.newDefaultUnpacker(frame);
  }

  /** Writes a string that may be null. */
  public static void packNullableString(MessageBufferPacker packer, String value)
      throws IOException {
    if (value == null) {
      packer.packNil();
    } else {
      packer.packString(value);
    }
  }

  /** Reads a string that may be nil. */
  public static String unpackNullableString(MessageUnpacker unpacker) throws IOException {
    if (unpacker.tryUnpackNil()) {
      return null;
    }
    return unpacker.unpackString();
  }

  /** Writes a byte array that may be null, as binary. */
  public static void packNullableBinary(MessageBufferPacker packer, byte[] value)
      throws IOException {
    if (value == null) {
      packer.packNil();
    } else {
      packer.packBinaryHeader(value.length);
      packer.writePayload(value);
    }
  }

  /** Reads a binary value that may be nil. */
  public static byte[] unpackNullableBinary(MessageUnpacker unpacker) throws IOException {
    if (unpacker.tryUnpackNil()) {
      return null;
    }
    return unpacker.readPayload(unpacker.unpackBinaryHeader());
  }
}
