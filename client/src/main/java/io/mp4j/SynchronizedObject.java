package io.mp4j;

import io.mp4j.protocol.BrokerChannel;

/**
 * A value or an array, which may carry a lock of its own as Python's synchronized wrappers do:
 * while one thread holds it, other threads' reads and writes wait in the broker.
 */
abstract class SynchronizedObject extends SharedObject {
  private final RLock lock;

  SynchronizedObject(BrokerChannel channel, String name, String kind, byte[] info,
      boolean withLock) {
    super(channel, name, kind, info);
    this.lock = withLock ? new RLock(channel, lockName(name)) : null;
  }

  /** The name of the lock of the object with this name. */
  static String lockName(String name) {
    return name + "/lock";
  }

  /**
   * The lock that goes with this object: Python's {@code get_lock()}. As in Python it is
   * re-entrant (an {@link RLock}), so code that holds it may call code that takes it again.
   *
   * @return the lock
   * @throws IllegalStateException when the object was made without a lock
   */
  public RLock getLock() {
    if (lock == null) {
      throw new IllegalStateException(kind + " " + name + " was made without a lock");
    }
    return lock;
  }

  @Override
  final Lock ownLock() {
    return lock;
  }
}
