package io.mp4j;

import io.mp4j.protocol.BrokerChannel;

/**
 * A re-entrant lock served by the broker: Python's {@code RLock}. The thread that holds it may
 * take it again, and must release it as many times; only that thread may release it. Like
 * {@link Lock}, it is given back when its holder's process dies.
 */
public final class RLock extends Lock {
  static final String KIND = "rlock";

  RLock(BrokerChannel channel, String name) {
    super(channel, name, KIND);
  }

  /**
   * Whether the calling thread holds the lock.
   *
   * @return true when it does
   */
  public boolean isHeldByCurrentThread() {
    return state()[2] != 0;
  }

  /**
   * How many times the calling thread holds the lock.
   *
   * @return the count, 0 when it does not hold it
   */
  public int getHoldCount() {
    int[] state = state();
    return state[2] != 0 ? state[1] : 0;
  }
}
