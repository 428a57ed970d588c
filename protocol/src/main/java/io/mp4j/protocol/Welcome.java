package io.mp4j.protocol;

import java.io.IOException;
import org.msgpack.core.MessageUnpacker;

/**
 * The broker's answer to HELLO, and the body of its heartbeats to clients. Not for users.
 *
 * @param sessionId the broker's number for this peer
 * @param heartbeatMillis how often each side sends a sign of life when otherwise silent
 * @param maxMessageBytes the largest message the broker accepts
 * @param workers how many worker processes the broker knows now
 */
public record Welcome(long sessionId, int heartbeatMillis, int maxMessageBytes, int workers) {

  /** Encodes this message's body frame. */
  public byte[] encode() {
    return Wire.pack(
        packer -> {
          packer.packArrayHeader(4);
          packer.packLong(sessionId);
          packer.packInt(heartbeatMillis);
          packer.packInt(maxMessageBytes);
          packer.packInt(workers);
        });
  }

  /**
   * Decodes a body frame written by {@link #encode}.
   *
   * @throws IOException when the frame is not a WELCOME body
   */
  public static Welcome decode(byte[] frame) throws IOException {
    try (MessageUnpacker unpacker = Wire.unpacker(frame)) {
      if (unpacker.unpackArrayHeader() != 4) {
        throw new IOException("a WELCOME body is an array of 4");
      }
      return new Welcome(
          unpacker.unpackLong(), unpacker.unpackInt(), unpacker.unpackInt(),
          unpacker.unpackInt());
    } catch (RuntimeException e) {
      throw new IOException("malformed WELCOME: " + e.getMessage(), e);
    }
  }
}
