package io.mp4j.protocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessageUnpacker;

/**
 * The outcome of one task frame: a msgpack array of {@code count} values (nil where the call
 * failed) and an error entry for each call that failed. Not for users.
 *
 * @param taskId the client's number for the task
 * @param offset the index within the task of the first call
 * @param count the number of calls
 * @param values a msgpack array of {@code count} results; a slice of the frame it was read from
 * @param errors one entry per failed call
 */
public record ResultFrame(
    long taskId, int offset, int count, Slice values, List<ItemError> errors) {

  /**
   * The failure of one call.
   *
   * @param index the call's index within the frame (0 is {@code offset})
   * @param code why it failed
   * @param error the exception or reason
   */
  public record ItemError(int index, ErrorCode code, RemoteError error) {}

  /** A result frame in which every call failed the same way. */
  public static ResultFrame failed(long taskId, int offset, int count, ErrorCode code,
      RemoteError error) {
    byte[] values = Wire.pack(packer -> {
      packer.packArrayHeader(count);
      for (int i = 0; i < count; i++) {
        packer.packNil();
      }
    });
    List<ItemError> errors = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      errors.add(new ItemError(i, code, error));
    }
    return new ResultFrame(taskId, offset, count, Slice.of(values), errors);
  }

  /** Encodes this result as one frame. */
  public byte[] encode() {
    Wire.Writer writer = packer -> {
      packer.packArrayHeader(5);
      packer.packLong(taskId);
      packer.packInt(offset);
      packer.packInt(count);
      packer.packBinaryHeader(values.length());
      packer.writePayload(values.array(), values.offset(), values.length());
      packer.packArrayHeader(errors.size());
      for (ItemError error : errors) {
        packer.packArrayHeader(3);
        packer.packInt(error.index());
        packer.packInt(error.code().code());
        error.error().pack(packer);
      }
    };
    if (errors.isEmpty()) {
      return Wire.packExact(1 + Wire.integerSize(taskId) + Wire.integerSize(offset)
          + Wire.integerSize(count) + Wire.binarySize(values.length()) + 1, writer);
    }
    return Wire.pack(32 + values.length() + 256 * errors.size(), writer);
  }

  /**
   * Decodes a frame written by {@link #encode}; its values stay where they are in the frame.
   *
   * @throws IOException when the frame is not a result frame
   */
  public static ResultFrame decode(Slice frame) throws IOException {
    try (MessageUnpacker unpacker = Wire.unpacker(frame)) {
      if (unpacker.unpackArrayHeader() != 5) {
        throw new IOException("a result frame is an array of 5");
      }
      long taskId = unpacker.unpackLong();
      int offset = unpacker.unpackInt();
      int count = unpacker.unpackInt();
      Slice values = Wire.readSlice(unpacker, frame);
      int errorCount = unpacker.unpackArrayHeader();
      List<ItemError> errors = new ArrayList<>(errorCount);
      for (int i = 0; i < errorCount; i++) {
        unpacker.unpackArrayHeader();
        int index = unpacker.unpackInt();
        ErrorCode code = ErrorCode.of(unpacker.unpackInt());
        errors.add(new ItemError(index, code, RemoteError.unpack(unpacker)));
      }
      return new ResultFrame(taskId, offset, count, values, errors);
    } catch (RuntimeException e) {
      throw new IOException("malformed result frame: " + e.getMessage(), e);
    }
  }
}
