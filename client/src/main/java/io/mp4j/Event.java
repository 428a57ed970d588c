package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Reply;
import java.util.concurrent.TimeUnit;

/**
 * A flag served by the broker that processes wait for: Python's {@code Event}. Waiting happens
 * in the broker; {@link #set()} wakes every waiter. Python's {@code wait} is {@link #await()}.
 */
public final class Event extends SharedObject {
  static final String KIND = "event";

  Event(BrokerChannel channel, String name) {
    super(channel, name, KIND, new byte[] {(byte) 0x90});
  }

  /** Sets the flag and wakes every waiter. */
  public void set() {
    call("event.set", packer -> packer.packArrayHeader(0));
  }

  /** Clears the flag. */
  public void clear() {
    call("event.clear", packer -> packer.packArrayHeader(0));
  }

  /**
   * Whether the flag is set.
   *
   * @return true when set
   */
  public boolean isSet() {
    return bool(call("event.isSet", packer -> packer.packArrayHeader(0)));
  }

  /**
   * Waits until the flag is set.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void await() throws InterruptedException {
    waitWithin(-1);
  }

  /**
   * Waits until the flag is set or the time is up: Python's {@code wait(timeout)}.
   *
   * @param timeout how long to wait
   * @param unit its unit
   * @return whether the flag is set: false when the time ran out
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
    return waitWithin(millis(timeout, unit));
  }

  private boolean waitWithin(long timeoutMillis) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    Reply reply = check(callWaiting("event.wait", packer -> {
      packer.packArrayHeader(1);
      packer.packLong(timeoutMillis);
    }), describe());
    boolean set = bool(reply);
    if (!set && Thread.interrupted()) {
      throw new InterruptedException();
    }
    return set;
  }
}
