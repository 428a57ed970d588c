package io.mp4j.protocol;

import java.io.IOException;
import org.msgpack.core.MessageUnpacker;

/**
 * The body of a REQUEST: one operation on a shared object held by the broker. Not for users.
 *
 * @param requestId the sender's number for the request; the REPLY carries it back
 * @param op the operation, such as {@code queue.put}
 * @param name the shared object's name
 * @param args the operation's arguments, a msgpack array
 */
public record Request(long requestId, String op, String name, byte[] args) {

  /** Encodes this request's body frame. */
  public byte[] encode() {
    return Wire.pack(32 + op.length() + name.length() + args.length, packer -> {
      packer.packArrayHeader(4);
      packer.packLong(requestId);
      packer.packString(op);
      packer.packString(name);
      packer.packBinaryHeader(args.length);
      packer.writePayload(args);
    });
  }

  /**
   * Decodes a body frame written by {@link #encode}.
   *
   * @throws IOException when the frame is not a REQUEST body
   */
  public static Request decode(byte[] frame) throws IOException {
    try (MessageUnpacker unpacker = Wire.unpacker(frame)) {
      if (unpacker.unpackArrayHeader() != 4) {
        throw new IOException("a REQUEST body is an array of 4");
      }
      return new Request(unpacker.unpackLong(), unpacker.unpackString(),
          unpacker.unpackString(), unpacker.readPayload(unpacker.unpackBinaryHeader()));
    } catch (RuntimeException e) {
      throw new IOException("malformed REQUEST: " + e.getMessage(), e);
    }
  }
}
