package io.mp4j.protocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.MessageBuffer;
import org.msgpack.value.ValueType;

/**
 * One task as the client encodes it: a run of {@code count} calls of one function, the first being
 * item {@code offset} of the client's task {@code taskId}. The broker treats the function and the
 * arguments as opaque bytes, except that it can split a task into single calls after a worker died
 * holding it. Not for users.
 *
 * @param taskId the client's number for the task
 * @param offset the index within the task of the first call here
 * @param count the number of calls
 * @param function the encoded task descriptor
 * @param args a msgpack array of {@code count} calls
 * @param exclusive whether the task needs a worker of its own for as long as it runs and is
 *     never run again after its worker is lost (a Process)
 */
public record TaskFrame(
    long taskId, int offset, int count, byte[] function, byte[] args, boolean exclusive) {

  /** A task frame that shares its worker and is retried when a worker is lost holding it. */
  public TaskFrame(long taskId, int offset, int count, byte[] function, byte[] args) {
    this(taskId, offset, count, function, args, false);
  }

  /** Encodes this task as one frame. */
  public byte[] encode() {
    int size = 1 + Wire.integerSize(taskId) + Wire.integerSize(offset) + Wire.integerSize(count)
        + Wire.binarySize(function.length) + Wire.binarySize(args.length) + (exclusive ? 1 : 0);
    return Wire.packExact(size, packer -> {
      packHead(packer, taskId, offset, count, function, exclusive);
      packer.packBinaryHeader(args.length);
      packer.writePayload(args);
      if (exclusive) {
        packer.packBoolean(true);
      }
    });
  }

  /**
   * Encodes a shared, retryable task of {@code count} calls whose encoded arguments are
   * {@code calls}, without the array header that counts them: it is written here, so the calls
   * are copied once, straight into the frame.
   */
  public static byte[] encodeCalls(long taskId, int count, byte[] function,
      List<MessageBuffer> calls) {
    int callBytes = 0;
    for (MessageBuffer part : calls) {
      callBytes += part.size();
    }
    int args = Wire.arrayHeaderSize(count) + callBytes;
    int size = 1 + Wire.integerSize(taskId) + 1 + Wire.integerSize(count)
        + Wire.binarySize(function.length) + Wire.binarySize(args);
    return Wire.packExact(size, packer -> {
      packHead(packer, taskId, 0, count, function, false);
      packer.packBinaryHeader(args);
      packer.packArrayHeader(count);
      for (MessageBuffer part : calls) {
        packer.writePayload(part.array(), part.arrayOffset(), part.size());
      }
    });
  }

  private static void packHead(MessagePacker packer, long taskId, int offset, int count,
      byte[] function, boolean exclusive) throws IOException {
    packer.packArrayHeader(exclusive ? 6 : 5);
    packer.packLong(taskId);
    packer.packInt(offset);
    packer.packInt(count);
    packer.packBinaryHeader(function.length);
    packer.writePayload(function);
  }

  /**
   * Decodes a frame written by {@link #encode}.
   *
   * @throws IOException when the frame is not a task frame
   */
  public static TaskFrame decode(byte[] frame) throws IOException {
    try (MessageUnpacker unpacker = Wire.unpacker(frame)) {
      int fields = unpacker.unpackArrayHeader();
      if (fields != 5 && fields != 6) {
        throw new IOException("a task frame is an array of 5 or 6");
      }
      long taskId = unpacker.unpackLong();
      int offset = unpacker.unpackInt();
      int count = unpacker.unpackInt();
      byte[] function = unpacker.readPayload(unpacker.unpackBinaryHeader());
      byte[] args = unpacker.readPayload(unpacker.unpackBinaryHeader());
      boolean exclusive = fields == 6 && unpacker.unpackBoolean();
      if (count < 1 || offset < 0) {
        throw new IOException("a task frame needs count >= 1 and offset >= 0");
      }
      return new TaskFrame(taskId, offset, count, function, args, exclusive);
    } catch (RuntimeException e) {
      throw new IOException("malformed task frame: " + e.getMessage(), e);
    }
  }

  /**
   * The head of a task frame, read and checked without copying the function or the arguments.
   *
   * @param taskId the client's number for the task
   * @param offset the index within the task of the first call here
   * @param count the number of calls
   */
  public record Header(long taskId, int offset, int count, boolean exclusive) {}

  /**
   * Reads and checks a frame's head and checks that the rest is well formed.
   *
   * @throws IOException when the frame is not a task frame
   */
  public static Header header(Slice frame) throws IOException {
    try (MessageUnpacker unpacker = Wire.unpacker(frame)) {
      int fields = unpacker.unpackArrayHeader();
      if (fields != 5 && fields != 6) {
        throw new IOException("a task frame is an array of 5 or 6");
      }
      long taskId = unpacker.unpackLong();
      int offset = unpacker.unpackInt();
      int count = unpacker.unpackInt();
      if (unpacker.getNextFormat().getValueType() != ValueType.BINARY) {
        throw new IOException("a task's function is binary");
      }
      unpacker.skipValue();
      if (unpacker.getNextFormat().getValueType() != ValueType.BINARY) {
        throw new IOException("a task's arguments are binary");
      }
      unpacker.skipValue();
      boolean exclusive = fields == 6 && unpacker.unpackBoolean();
      if (unpacker.hasNext()) {
        throw new IOException("bytes after the end of a task frame");
      }
      if (count < 1 || offset < 0) {
        throw new IOException("a task frame needs count >= 1 and offset >= 0");
      }
      return new Header(taskId, offset, count, exclusive);
    } catch (RuntimeException e) {
      throw new IOException("malformed task frame: " + e.getMessage(), e);
    }
  }

  /**
   * Splits this task into one task per call, so that a call that kills its worker fails alone.
   *
   * @throws IOException when the arguments are not an array of {@code count} values
   */
  public List<TaskFrame> split() throws IOException {
    List<TaskFrame> parts = new ArrayList<>(count);
    try (MessageUnpacker unpacker = Wire.unpacker(args)) {
      int items = unpacker.unpackArrayHeader();
      if (items != count) {
        throw new IOException("task holds " + items + " calls, expected " + count);
      }
      for (int i = 0; i < count; i++) {
        int start = (int) unpacker.getTotalReadBytes();
        unpacker.skipValue();
        int end = (int) unpacker.getTotalReadBytes();
        byte[] single = new byte[1 + end - start];
        single[0] = (byte) 0x91; // fixarray of one element
        System.arraycopy(args, start, single, 1, end - start);
        parts.add(new TaskFrame(taskId, offset + i, 1, function, single));
      }
    }
    return parts;
  }
}
