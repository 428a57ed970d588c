package io.mp4j.protocol.codec;

/**
 * A value that stands for a shared object held by the broker (a queue, and later a pipe end or a
 * proxy). It travels as its {@link Ref}, not as its contents, and arrives as a working object
 * bound to the receiving side's broker channel. Not for users.
 */
public interface SharedHandle {
  /**
   * What identifies a shared object on the wire.
   *
   * @param kind the kind of object, such as {@code queue}
   * @param name the object's name in the broker
   * @param broker the broker's address, to tell a handle of another broker
   * @param settings kind-specific settings, such as a queue's size limit
   */
  record Ref(String kind, String name, String broker, byte[] settings) {}

  /** This object's reference. */
  Ref ref();
}
