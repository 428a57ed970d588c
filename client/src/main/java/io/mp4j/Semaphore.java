package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Reply;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore served by the broker, shared by every process that has it: Python's
 * {@code Semaphore}, with {@link java.util.concurrent.Semaphore}'s permits and timeouts. A
 * thread waiting for permits waits in the broker; waiters are served in order.
 *
 * <p>Permits taken by a process that dies are given back once the broker declares it dead, and
 * the next taker's {@link #previousHolderDied()} returns true. Any process may release permits;
 * a release counts first against the permits the releasing thread took, then against the oldest
 * holder's.
 */
public class Semaphore extends SharedObject {
  static final String KIND = "semaphore";

  private final ThreadLocal<Boolean> holderDied = ThreadLocal.withInitial(() -> false);

  Semaphore(BrokerChannel channel, String name, byte[] info) {
    super(channel, name, KIND, info);
  }

  /**
   * Takes a permit, waiting as long as it takes.
   *
   * @throws InterruptedException when interrupted while waiting; nothing was taken
   */
  public void acquire() throws InterruptedException {
    acquire(1);
  }

  /**
   * Takes permits, waiting as long as it takes.
   *
   * @param permits how many, at least 1
   * @throws InterruptedException when interrupted while waiting; nothing was taken
   */
  public void acquire(int permits) throws InterruptedException {
    if (!tryAcquireWithin(permits, -1)) {
      throw new InterruptedException();
    }
  }

  /**
   * Takes a permit if one is free now: Python's {@code acquire(block=False)}.
   *
   * @return whether it was taken
   */
  public boolean tryAcquire() {
    try {
      return tryAcquireWithin(1, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Takes a permit, waiting at most the given time: Python's {@code acquire(timeout=t)}.
   *
   * @param timeout how long to wait
   * @param unit its unit
   * @return whether it was taken
   * @throws InterruptedException when interrupted while waiting; nothing was taken
   */
  public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
    return tryAcquire(1, timeout, unit);
  }

  /**
   * Takes permits, waiting at most the given time.
   *
   * @param permits how many, at least 1
   * @param timeout how long to wait
   * @param unit its unit
   * @return whether they were taken
   * @throws InterruptedException when interrupted while waiting; nothing was taken
   */
  public boolean tryAcquire(int permits, long timeout, TimeUnit unit)
      throws InterruptedException {
    return tryAcquireWithin(permits, millis(timeout, unit));
  }

  private boolean tryAcquireWithin(int permits, long timeoutMillis)
      throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    long thread = thread();
    Reply reply = callWaiting("sem.acquire", packer -> {
      packer.packArrayHeader(3);
      packer.packLong(thread);
      packer.packInt(permits);
      packer.packLong(timeoutMillis);
    });
    if (timedOut(reply)) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      return false;
    }
    holderDied.set(bool(check(reply, describe())));
    return true;
  }

  /** Gives a permit back. */
  public void release() {
    release(1);
  }

  /**
   * Gives permits back.
   *
   * @param permits how many, at least 1
   * @throws IllegalStateException for a {@link BoundedSemaphore}, when that would raise it
   *     above its initial value
   */
  public void release(int permits) {
    long thread = thread();
    try {
      call("sem.release", packer -> {
        packer.packArrayHeader(2);
        packer.packLong(thread);
        packer.packInt(permits);
      });
    } catch (IllegalMonitorStateException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * The permits free now.
   *
   * @return the count, which other processes may change at once
   */
  public int availablePermits() {
    long thread = thread();
    return integer(call("sem.value", packer -> {
      packer.packArrayHeader(1);
      packer.packLong(thread);
    }));
  }

  /**
   * Whether this thread's last acquisition was given permits that the broker took back from a
   * holder that died.
   *
   * @return true when a previous holder died holding permits
   */
  public boolean previousHolderDied() {
    return holderDied.get();
  }
}
