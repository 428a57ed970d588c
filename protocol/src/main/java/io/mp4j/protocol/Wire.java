package io.mp4j.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * A packer whose buffer starts at about {@code expectedBytes} and grows as needed. The default
   * packer starts at 8 KiB, which for the many small frames of a busy broker or worker is most of
   * the memory they allocate.
   */
  public static MessageBufferPacker packer(int expectedBytes) {
    int size = Math.max(64, Math.min(expectedBytes, 1 << 20));
    return MessagePack.DEFAULT_PACKER_CONFIG.withBufferSize(size).newBufferPacker();
  }

  /** Builds a small frame with the writer. */
  public static byte[] pack(Writer writer) {
    return pack(256, writer);
  }

  /** Builds a frame of about {@code expectedBytes} with the writer. */
  public static byte[] pack(int expectedBytes, Writer writer) {
    try (MessageBufferPacker packer = packer(expectedBytes)) {
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

  /**
   * Packs several frames into one msgpack array of binaries. A message carries one such frame
   * rather than many ZeroMQ frames, because ZeroMQ's cost is per frame and tasks are many.
   */
  public static byte[] packBinaries(List<byte[]> frames) {
    int size = 8;
    for (byte[] frame : frames) {
      size += frame.length + 5;
    }
    return pack(size, packer -> {
      packer.packArrayHeader(frames.size());
      for (byte[] frame : frames) {
        packer.packBinaryHeader(frame.length);
        packer.writePayload(frame);
      }
    });
  }

  /**
   * Reads a frame written by {@link #packBinaries}.
   *
   * @throws IOException when the frame is not an array of binaries
   */
  public static List<byte[]> unpackBinaries(byte[] frame) throws IOException {
    try (MessageUnpacker unpacker = unpacker(frame)) {
      int count = unpacker.unpackArrayHeader();
      List<byte[]> frames = new ArrayList<>(Math.min(count, 1 << 16));
      for (int i = 0; i < count; i++) {
        frames.add(unpacker.readPayload(unpacker.unpackBinaryHeader()));
      }
      if (unpacker.hasNext()) {
        throw new IOException("bytes after the end of a batch frame");
      }
      return frames;
    } catch (RuntimeException e) {
      throw new IOException("malformed batch frame: " + e.getMessage(), e);
    }
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
