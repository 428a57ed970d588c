package io.mp4j.protocol;

import java.io.IOException;
import org.msgpack.core.MessageUnpacker;

/**
 * The first message of every peer. Not for users.
 *
 * @param version the protocol version the peer speaks
 * @param role whether the peer is a client or a worker
 * @param authkey the shared key, or an empty array when the broker has none
 * @param host the peer's host name
 * @param pid the peer's process id
 * @param name the peer's name, for status and error messages
 * @param taskLimit for a worker, how many tasks it will run before it retires (0: no limit)
 * @param initializer for a client, the encoded initializer task frame to run once in each worker
 *     before this client's first task there, or null
 */
public record Hello(
    int version, Role role, byte[] authkey, String host, long pid, String name, int taskLimit,
    byte[] initializer) {

  /** Who says hello. */
  public enum Role {
    /** Submits tasks and reads results. */
    CLIENT,
    /** Runs tasks. */
    WORKER
  }

  /** This machine's host name, as a peer reports it; {@code localhost} when it has none. */
  public static String localHostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  /** Encodes this message's body frame. */
  public byte[] encode() {
    return Wire.pack(
        packer -> {
          packer.packArrayHeader(8);
          packer.packInt(version);
          packer.packString(role.name());
          Wire.packNullableBinary(packer, authkey);
          packer.packString(host);
          packer.packLong(pid);
          packer.packString(name);
          packer.packInt(taskLimit);
          Wire.packNullableBinary(packer, initializer);
        });
  }

  /**
   * Decodes a body frame written by {@link #encode}.
   *
   * @throws IOException when the frame is not a HELLO body
   */
  public static Hello decode(byte[] frame) throws IOException {
    try (MessageUnpacker unpacker = Wire.unpacker(frame)) {
      if (unpacker.unpackArrayHeader() != 8) {
        throw new IOException("a HELLO body is an array of 8");
      }
      return new Hello(
          unpacker.unpackInt(),
          Role.valueOf(unpacker.unpackString()),
          Wire.unpackNullableBinary(unpacker),
          unpacker.unpackString(),
          unpacker.unpackLong(),
          unpacker.unpackString(),
          unpacker.unpackInt(),
          Wire.unpackNullableBinary(unpacker));
    } catch (RuntimeException e) {
      throw new IOException("malformed HELLO: " + e.getMessage(), e);
    }
  }
}
