package io.mp4j.protocol;

import java.io.IOException;
import org.msgpack.core.MessageUnpacker;

/**
 * The body of an ERROR message: why the broker refused or dropped something. Not for users.
 *
 * @param code what went wrong
 * @param message a sentence for the user
 */
public record ErrorReply(ErrorCode code, String message) {

  /** Encodes this message's body frame. */
  public byte[] encode() {
    return Wire.pack(
        packer -> {
          packer.packArrayHeader(2);
          packer.packInt(code.code());
          packer.packString(message);
        });
  }

  /**
   * Decodes a body frame written by {@link #encode}.
   *
   * @throws IOException when the frame is not an ERROR body
   */
  public static ErrorReply decode(byte[] frame) throws IOException {
    try (MessageUnpacker unpacker = Wire.unpacker(frame)) {
      unpacker.unpackArrayHeader();
      return new ErrorReply(ErrorCode.of(unpacker.unpackInt()), unpacker.unpackString());
    } catch (RuntimeException e) {
      throw new IOException("malformed ERROR: " + e.getMessage(), e);
    }
  }
}
