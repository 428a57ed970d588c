package io.mp4j.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.ArrayBufferOutput;
import org.msgpack.core.buffer.MessageBuffer;

/**
 * Small helpers to build and read msgpack frames. Not for users.
 */
public final class Wire {
  /** The protocol version that HELLO carries; a broker refuses any other. */
  public static final int PROTOCOL_VERSION = 2;

  /**
   * How large a message of many frames grows before it is sent and another begun. JeroMQ reads a
   * message of over 1 MiB into a direct buffer, which the receiver then copies out whole; a
   * smaller one it reads into the array the receiver keeps. Smaller messages also let the
   * receiver start on the first frames while the rest are on the way.
   */
  public static final int BATCH_BYTES = 512 << 10;

  /** msgpack-core's switch between its two buffer implementations. */
  static final String UNIVERSAL_BUFFER_PROPERTY = "msgpack.universal-buffer";
  /** The first JDK that warns about {@code sun.misc.Unsafe}'s memory access (JEP 498). */
  static final int UNSAFE_WARNED_FROM = 24;

  static {
    preferUniversalBuffers();
  }

  private Wire() {}

  /**
   * On JDK 24 and later, has msgpack use its universal buffers, which read and write through
   * {@code ByteBuffer}, unless this JVM chose for itself; must run before msgpack makes its first
   * buffer, so the classes that first touch msgpack call it as they initialize. msgpack's default
   * buffers go through {@code sun.misc.Unsafe}, for which JDK 24 prints four lines of warning on
   * the standard error of every JVM that uses them (a client and each of its workers), and which
   * later JDKs are to refuse (JEP 471). Earlier JDKs keep the default: packing and unpacking a
   * million pairs of a long and an int took 9.9 to 10.4 ms with it on JDK 17, and 18.0 to 27.6
   * ms with the universal buffers.
   */
  public static void preferUniversalBuffers() {
    if (universalBuffersWanted(Runtime.version().feature(),
        System.getProperty(UNIVERSAL_BUFFER_PROPERTY))) {
      System.setProperty(UNIVERSAL_BUFFER_PROPERTY, "true");
    }
  }

  /** Whether a JVM of this feature release, with this setting of the property, wants them. */
  static boolean universalBuffersWanted(int javaFeature, String chosen) {
    return javaFeature >= UNSAFE_WARNED_FROM && chosen == null;
  }

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

  /**
   * Unpackers read whole arrays, where msgpack decodes a string straight from the array; its
   * default 8 Ki-char buffer for strings split across chunks was allocated and zeroed by every
   * unpacker that read a string, which made reading a request's op and name most of a busy
   * broker's work.
   */
  private static final MessagePack.UnpackerConfig UNPACKER =
      new MessagePack.UnpackerConfig().withStringDecoderBufferSize(64);

  /** An unpacker over a whole frame. */
  public static MessageUnpacker unpacker(byte[] frame) {
    return UNPACKER.newUnpacker(frame);
  }

  /** An unpacker over a slice; its read positions count from the slice's start. */
  public static MessageUnpacker unpacker(Slice frame) {
    return UNPACKER.newUnpacker(frame.array(), frame.offset(), frame.length());
  }

  /**
   * An unpacker over the whole of the slice's array, standing at the slice's start: its read
   * positions are those of the array, as readers that hand a value to Jackson need.
   */
  public static MessageUnpacker unpackerAt(Slice frame) throws IOException {
    MessageUnpacker unpacker = unpacker(frame.array());
    // The unpacker takes in the array at its first read; a skip before that copies what it skips.
    unpacker.hasNext();
    unpacker.readPayloadAsReference(frame.offset());
    return unpacker;
  }

  /**
   * Reads a binary value as a slice of the frame that the unpacker reads, made by
   * {@link #unpacker(Slice)} over {@code frame}: nothing is copied.
   */
  public static Slice readSlice(MessageUnpacker in, Slice frame) throws IOException {
    int length = in.unpackBinaryHeader();
    int start = frame.offset() + (int) in.getTotalReadBytes();
    in.readPayloadAsReference(length);
    return new Slice(frame.array(), start, length);
  }

  /**
   * Packs several frames into one msgpack array of binaries. A message carries one such frame
   * rather than many ZeroMQ frames, because ZeroMQ's cost is per frame and tasks are many.
   */
  public static byte[] packBinaries(List<byte[]> frames) {
    List<Slice> slices = new ArrayList<>(frames.size());
    for (byte[] frame : frames) {
      slices.add(Slice.of(frame));
    }
    return packSlices(slices);
  }

  /** {@link #packBinaries} for frames that are slices of others. */
  public static byte[] packSlices(List<Slice> frames) {
    return packExact(slicesSize(frames), packer -> writeSlices(packer, frames));
  }

  /** The bytes {@link #writeSlices} writes. */
  public static int slicesSize(List<Slice> frames) {
    int size = arrayHeaderSize(frames.size());
    for (Slice frame : frames) {
      size += binarySize(frame.length());
    }
    return size;
  }

  /** Writes frames as one msgpack array of binaries, as {@link #packSlices} packs them. */
  public static void writeSlices(MessageBufferPacker packer, List<Slice> frames)
      throws IOException {
    packer.packArrayHeader(frames.size());
    for (Slice frame : frames) {
      packer.packBinaryHeader(frame.length());
      packer.writePayload(frame.array(), frame.offset(), frame.length());
    }
  }

  /**
   * Builds a frame of exactly {@code size} bytes, which the caller computed with the size
   * helpers below: one array, each payload copied into it once. The growing buffer of
   * {@link #pack} copies a large payload twice and leaves a chunk behind for every step it grows;
   * for the large frames of a map that was most of what a pool allocated.
   *
   * @throws IllegalStateException when the writer writes another number of bytes
   */
  public static byte[] packExact(int size, Writer writer) {
    ExactOutput out = new ExactOutput(size);
    try (MessageBufferPacker packer =
        new MessageBufferPacker(out, MessagePack.DEFAULT_PACKER_CONFIG) {}) {
      writer.write(packer);
      return packer.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bytes msgpack takes for an integer (packInt or packLong). */
  public static int integerSize(long value) {
    if (value >= -32 && value < 128) {
      return 1;
    }
    if (value < 0) {
      return value >= -128 ? 2 : value >= -32768 ? 3 : value >= Integer.MIN_VALUE ? 5 : 9;
    }
    return value < 256 ? 2 : value < 65536 ? 3 : value < (1L << 32) ? 5 : 9;
  }

  /** The bytes msgpack takes for a binary value of {@code length} bytes, header included. */
  public static int binarySize(int length) {
    return (length < 256 ? 2 : length < 65536 ? 3 : 5) + length;
  }

  /** The bytes msgpack takes for a string, header included. */
  public static int stringSize(String value) {
    int length = utf8Length(value);
    return (length < 32 ? 1 : length < 256 ? 2 : length < 65536 ? 3 : 5) + length;
  }

  /** The bytes msgpack takes for a string that may be null (nil). */
  public static int nullableStringSize(String value) {
    return value == null ? 1 : stringSize(value);
  }

  /** The bytes msgpack takes for a binary value that may be null (nil). */
  public static int nullableBinarySize(byte[] value) {
    return value == null ? 1 : binarySize(value.length);
  }

  private static int utf8Length(String value) {
    int length = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        length++;
      } else if (c < 0x800) {
        length += 2;
      } else if (!Character.isSurrogate(c)) {
        length += 3;
      } else if (Character.isHighSurrogate(c) && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        length += 4;
        i++;
      } else {
        length++; // a lone surrogate is encoded as '?'
      }
    }
    return length;
  }

  /** The bytes msgpack takes for the header of an array of {@code count} elements. */
  public static int arrayHeaderSize(int count) {
    return count < 16 ? 1 : count < 65536 ? 3 : 5;
  }

  /** An output into one array of a size known in advance. */
  private static final class ExactOutput extends ArrayBufferOutput {
    private final byte[] array;
    private int position;

    ExactOutput(int size) {
      super(16);
      array = new byte[size];
    }

    @Override
    public MessageBuffer next(int minimumSize) {
      // The packer asks for at least its own buffer size; it writes only what the frame needs,
      // which the caller counted.
      return MessageBuffer.wrap(array, position, array.length - position);
    }

    @Override
    public void writeBuffer(int length) {
      position += length;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) {
      System.arraycopy(buffer, offset, array, position, length);
      position += length;
    }

    @Override
    public void add(byte[] buffer, int offset, int length) {
      write(buffer, offset, length);
    }

    @Override
    public int getSize() {
      return position;
    }

    @Override
    public byte[] toByteArray() {
      if (position != array.length) {
        throw new IllegalStateException("a frame counted as " + array.length + " bytes took "
            + position);
      }
      return array;
    }
  }

  /**
   * Reads a frame written by {@link #packBinaries}.
   *
   * @throws IOException when the frame is not an array of binaries
   */
  public static List<byte[]> unpackBinaries(byte[] frame) throws IOException {
    List<Slice> slices = unpackSlices(frame);
    List<byte[]> frames = new ArrayList<>(slices.size());
    for (Slice slice : slices) {
      frames.add(slice.toArray());
    }
    return frames;
  }

  /**
   * Reads a frame written by {@link #packBinaries} or {@link #packSlices}, each binary as a
   * slice of {@code frame}.
   *
   * @throws IOException when the frame is not an array of binaries
   */
  public static List<Slice> unpackSlices(byte[] frame) throws IOException {
    return unpackSlices(Slice.of(frame));
  }

  /** {@link #unpackSlices} of a frame that is itself a slice, as a request's arguments are. */
  public static List<Slice> unpackSlices(Slice frame) throws IOException {
    try (MessageUnpacker unpacker = unpacker(frame)) {
      int count = unpacker.unpackArrayHeader();
      List<Slice> frames = new ArrayList<>(Math.min(count, 1 << 16));
      for (int i = 0; i < count; i++) {
        frames.add(readSlice(unpacker, frame));
      }
      if (unpacker.hasNext()) {
        throw new IOException("bytes after the end of a batch frame");
      }
      return frames;
    } catch (RuntimeException e) {
      throw new IOException("malformed batch frame: " + e.getMessage(), e);
    }
  }

  /** Packs numbers, such as task keys, as one msgpack array. */
  public static byte[] packLongs(Collection<Long> values) {
    return pack(packer -> {
      packer.packArrayHeader(values.size());
      for (long value : values) {
        packer.packLong(value);
      }
    });
  }

  /**
   * Reads a frame written by {@link #packLongs}.
   *
   * @throws IOException when the frame is not an array of integers
   */
  public static List<Long> unpackLongs(byte[] frame) throws IOException {
    try (MessageUnpacker unpacker = unpacker(frame)) {
      int count = unpacker.unpackArrayHeader();
      List<Long> values = new ArrayList<>(Math.min(count, 1 << 16));
      for (int i = 0; i < count; i++) {
        values.add(unpacker.unpackLong());
      }
      return values;
    } catch (RuntimeException e) {
      throw new IOException("malformed array of integers: " + e.getMessage(), e);
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

  /**
   * Reads a binary value that may be nil as a slice of the frame that the unpacker reads, made by
   * {@link #unpacker(Slice)} over {@code frame}.
   */
  public static Slice readNullableSlice(MessageUnpacker in, Slice frame) throws IOException {
    return in.tryUnpackNil() ? null : readSlice(in, frame);
  }

  /** Reads a binary value that may be nil. */
  public static byte[] unpackNullableBinary(MessageUnpacker unpacker) throws IOException {
    if (unpacker.tryUnpackNil()) {
      return null;
    }
    return unpacker.readPayload(unpacker.unpackBinaryHeader());
  }
}
