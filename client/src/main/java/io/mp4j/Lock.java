package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Wire;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A lock served by the broker, shared by every process that has it: Python's {@code Lock}, as a
 * {@link java.util.concurrent.locks.Lock}. A thread waiting for it waits in the broker, not in a
 * loop here.
 *
 * <p>As in Python, it is not re-entrant (a second {@code lock()} by its holder waits for ever;
 * use {@link RLock} for that), any thread of any process may unlock it, and unlocking it when it
 * is not locked is an error. Unlike Python, a lock held by a process that dies is not lost: the
 * broker takes it back once it declares that process dead and gives it to the next waiter, whose
 * {@link #previousHolderDied()} then returns true, since what the lock guards may be half
 * changed.
 */
public class Lock extends SharedObject implements java.util.concurrent.locks.Lock {
  static final String KIND = "lock";

  private final ThreadLocal<Boolean> holderDied = ThreadLocal.withInitial(() -> false);
  /** How many times this thread took the lock through this proxy and has not released it. */
  private final ThreadLocal<int[]> holds = ThreadLocal.withInitial(() -> new int[1]);

  Lock(BrokerChannel channel, String name, String kind) {
    super(channel, name, kind, new byte[] {(byte) 0x90});
  }

  /** Takes the lock, waiting as long as it takes; an interrupt does not stop the wait. */
  @Override
  public void lock() {
    boolean interrupted = false;
    while (true) {
      try {
        lockInterruptibly();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Takes the lock, waiting as long as it takes.
   *
   * @throws InterruptedException when interrupted while waiting; the lock was not taken
   */
  @Override
  public void lockInterruptibly() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (!acquire(-1)) {
      Thread.interrupted();
      throw new InterruptedException();
    }
  }

  /**
   * Takes the lock if it is free now: Python's {@code acquire(block=False)}.
   *
   * @return whether it was taken
   */
  @Override
  public boolean tryLock() {
    return acquire(0);
  }

  /**
   * Takes the lock, waiting at most the given time: Python's {@code acquire(timeout=t)}.
   *
   * @return whether it was taken
   * @throws InterruptedException when interrupted while waiting; the lock was not taken
   */
  @Override
  public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    boolean taken = acquire(millis(time, unit));
    if (!taken && Thread.interrupted()) {
      throw new InterruptedException();
    }
    return taken;
  }

  private boolean acquire(long timeoutMillis) {
    long thread = thread();
    Reply reply = callWaiting("lock.acquire", packer -> {
      packer.packArrayHeader(2);
      packer.packLong(thread);
      packer.packLong(timeoutMillis);
    });
    if (timedOut(reply)) {
      return false;
    }
    holderDied.set(bool(check(reply, describe())));
    holds.get()[0]++;
    return true;
  }

  /**
   * Releases the lock.
   *
   * @throws IllegalMonitorStateException when it is not locked (or, for an RLock, when this
   *     thread does not hold it)
   */
  @Override
  public void unlock() {
    long thread = thread();
    int[] held = holds.get();
    Wire.Writer release = packer -> {
      packer.packArrayHeader(1);
      packer.packLong(thread);
    };
    if (held[0] > 0) {
      // This thread holds it, so the release cannot fail: it need not wait for the broker.
      held[0]--;
      send("lock.release", release);
    } else {
      call("lock.release", release);
    }
  }

  /** Whether this thread holds the lock, taken through this proxy. */
  boolean heldByCurrentThread() {
    return holds.get()[0] > 0;
  }

  /**
   * Whether this thread's hold of the lock was given after the broker took it back from a holder
   * that died.
   *
   * @return true when the previous holder died holding it
   */
  public boolean previousHolderDied() {
    return holderDied.get();
  }

  /**
   * Whether some thread of some process holds the lock now.
   *
   * @return true when locked
   */
  public boolean isLocked() {
    return state()[0] != 0;
  }

  /** [locked, hold count, held by this thread]. */
  int[] state() {
    long thread = thread();
    Reply reply = call("lock.state", packer -> {
      packer.packArrayHeader(1);
      packer.packLong(thread);
    });
    try (var in = Wire.unpacker(reply.payload())) {
      in.unpackArrayHeader();
      return new int[] {in.unpackBoolean() ? 1 : 0, in.unpackInt(), in.unpackBoolean() ? 1 : 0};
    } catch (java.io.IOException e) {
      throw new BrokerException("malformed state of " + describe(), e);
    }
  }

  /**
   * A new condition bound to this lock: Python's {@code Condition(lock)}.
   *
   * @return the condition, which lives as long as the process that made it
   */
  @Override
  public Condition newCondition() {
    String conditionName = "condition-" + UUID.randomUUID();
    byte[] info = open(channel, conditionName, false, Condition.KIND,
        Wire.pack(packer -> packer.packString(name)));
    return new Condition(channel, conditionName, info, this);
  }
}
