package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Reply;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A condition variable served by the broker: Python's {@code Condition}, as a
 * {@link java.util.concurrent.locks.Condition}. Its lock is a {@link Lock} or {@link RLock}
 * ({@link #getLock()}); waiting releases the lock in the broker (all of an RLock's holds) and
 * takes it back before returning, and the waiting itself happens in the broker.
 *
 * <p>Python's {@code wait}, {@code wait_for}, {@code notify} and {@code notify_all} are
 * {@link #await(long, TimeUnit)}, {@link #waitFor}, {@link #signal} and {@link #signalAll}.
 */
public final class Condition extends SharedObject implements java.util.concurrent.locks.Condition {
  static final String KIND = "condition";

  private final Lock lock;

  Condition(BrokerChannel channel, String name, byte[] info, Lock lock) {
    super(channel, name, KIND, info);
    this.lock = lock;
  }

  /**
   * The lock this condition waits with; hold it to wait or signal.
   *
   * @return the lock
   */
  public Lock getLock() {
    return lock;
  }

  /**
   * Waits until signalled.
   *
   * @throws InterruptedException when interrupted; the lock is held again all the same
   * @throws IllegalMonitorStateException when the calling thread does not hold the lock
   */
  @Override
  public void await() throws InterruptedException {
    waitWithin(-1);
  }

  /**
   * Waits until signalled or the time is up: Python's {@code wait(timeout)}.
   *
   * @return false when the time ran out
   * @throws InterruptedException when interrupted; the lock is held again all the same
   */
  @Override
  public boolean await(long time, TimeUnit unit) throws InterruptedException {
    return waitWithin(millis(time, unit));
  }

  @Override
  public long awaitNanos(long nanosTimeout) throws InterruptedException {
    long deadline = System.nanoTime() + nanosTimeout;
    boolean signalled = waitWithin(millis(Math.max(0, nanosTimeout), TimeUnit.NANOSECONDS));
    long left = deadline - System.nanoTime();
    return signalled ? Math.max(1, left) : Math.min(0, left);
  }

  @Override
  public void awaitUninterruptibly() {
    boolean interrupted = false;
    while (true) {
      try {
        waitWithin(-1);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean awaitUntil(Date deadline) throws InterruptedException {
    return waitWithin(Math.max(0, deadline.getTime() - System.currentTimeMillis()));
  }

  private boolean waitWithin(long timeoutMillis) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    long thread = thread();
    Reply reply = check(callWaiting("cond.wait", packer -> {
      packer.packArrayHeader(2);
      packer.packLong(thread);
      packer.packLong(timeoutMillis);
    }), describe());
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    return bool(reply);
  }

  /**
   * Waits until the predicate holds, checking it with the lock held each time the condition is
   * signalled: Python's {@code wait_for(predicate, timeout)}.
   *
   * @param predicate what to wait for
   * @param timeout the longest wait in all
   * @param unit its unit
   * @return the predicate's last value: false when the time ran out first
   * @throws InterruptedException when interrupted; the lock is held again all the same
   */
  public boolean waitFor(BooleanSupplier predicate, long timeout, TimeUnit unit)
      throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    boolean result = predicate.getAsBoolean();
    while (!result) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      waitWithin(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      result = predicate.getAsBoolean();
    }
    return result;
  }

  /** Wakes one waiter: Python's {@code notify()}. The caller must hold the lock. */
  @Override
  public void signal() {
    notifyWaiters(1);
  }

  /** Wakes every waiter: Python's {@code notify_all()}. The caller must hold the lock. */
  @Override
  public void signalAll() {
    notifyWaiters(-1);
  }

  /**
   * Wakes up to {@code count} waiters: Python's {@code notify(n)}.
   *
   * @param count how many
   */
  public void signal(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    notifyWaiters(count);
  }

  /**
   * How many threads wait on this condition now, not counting those signalled and waiting to
   * take the lock back.
   *
   * @return the count, which other processes may change at once
   */
  public int waiting() {
    long thread = thread();
    return integer(call("cond.waiters", packer -> {
      packer.packArrayHeader(1);
      packer.packLong(thread);
    }));
  }

  private void notifyWaiters(int count) {
    long thread = thread();
    call("cond.notify", packer -> {
      packer.packArrayHeader(2);
      packer.packLong(thread);
      packer.packInt(count);
    });
  }
}
