package io.mp4j.protocol;

import java.io.IOException;
import org.msgpack.core.MessageUnpacker;

/**
 * The body of a REPLY: the outcome of one REQUEST. Not for users.
 *
 * @param requestId the number of the request answered
 * @param error null when the operation succeeded, else why it did not
 * @param payload the operation's result, one msgpack value, or null; a decoded reply's lies in
 *     the frame it came in, which is not copied
 * @param message a sentence for the user when it failed, else null
 */
public record Reply(long requestId, ErrorCode error, Slice payload, String message) {

  /** A successful reply with nothing to say. */
  public static Reply ok(long requestId) {
    return new Reply(requestId, null, null, null);
  }

  /** A successful reply. */
  public static Reply ok(long requestId, byte[] payload) {
    return ok(requestId, payload == null ? null : Slice.of(payload));
  }

  /** A successful reply whose payload lies in a larger array, such as the message it came in. */
  public static Reply ok(long requestId, Slice payload) {
    return new Reply(requestId, null, payload, null);
  }

  /** A failed reply. */
  public static Reply failed(long requestId, ErrorCode error, String message) {
    return new Reply(requestId, error, null, message);
  }

  /**
   * Encodes the body frame of a successful reply whose payload the writer packs straight into it:
   * a large payload, such as a run of queue items, is not built first and copied after.
   *
   * @param payloadBytes how many bytes the writer writes; it must write exactly these
   */
  public static byte[] encodeOk(long requestId, int payloadBytes, Wire.Writer payload) {
    return encode(requestId, 0, payloadBytes, payload, null);
  }

  /** Encodes this reply's body frame. */
  public byte[] encode() {
    return encode(requestId, error == null ? 0 : error.code(),
        payload == null ? -1 : payload.length(),
        packer -> packer.writePayload(payload.array(), payload.offset(), payload.length()),
        message);
  }

  /** A body frame whose payload the writer writes; a payload of -1 bytes is nil. */
  private static byte[] encode(long requestId, int code, int payloadBytes, Wire.Writer payload,
      String message) {
    int size = 1 + Wire.integerSize(requestId) + Wire.integerSize(code)
        + (payloadBytes < 0 ? 1 : Wire.binarySize(payloadBytes)) + Wire.nullableStringSize(message);
    return Wire.packExact(size, packer -> {
      packer.packArrayHeader(4);
      packer.packLong(requestId);
      packer.packInt(code);
      if (payloadBytes < 0) {
        packer.packNil();
      } else {
        packer.packBinaryHeader(payloadBytes);
        payload.write(packer);
      }
      Wire.packNullableString(packer, message);
    });
  }

  /**
   * Decodes a body frame written by {@link #encode}.
   *
   * @throws IOException when the frame is not a REPLY body
   */
  public static Reply decode(byte[] frame) throws IOException {
    Slice whole = Slice.of(frame);
    try (MessageUnpacker unpacker = Wire.unpacker(frame)) {
      if (unpacker.unpackArrayHeader() != 4) {
        throw new IOException("a REPLY body is an array of 4");
      }
      long requestId = unpacker.unpackLong();
      int code = unpacker.unpackInt();
      return new Reply(requestId, code == 0 ? null : ErrorCode.of(code),
          Wire.readNullableSlice(unpacker, whole), Wire.unpackNullableString(unpacker));
    } catch (RuntimeException e) {
      throw new IOException("malformed REPLY: " + e.getMessage(), e);
    }
  }
}
