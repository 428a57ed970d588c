package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.task.ResolvedTask;
import io.mp4j.protocol.task.TaskDescriptor;
import java.io.IOException;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A barrier served by the broker for a fixed number of parties in any processes: Python's
 * {@code Barrier}, behaving as {@link java.util.concurrent.CyclicBarrier}. It trips when the
 * last party arrives and can be used again. Its action, when it has one, runs once per trip in
 * the process of the last party to arrive, before any party goes on; if it throws, the barrier
 * breaks.
 *
 * <p>A party that times out, is interrupted, or whose process dies breaks the barrier for every
 * party waiting ({@link BrokenBarrierException}); {@link #abort()} breaks it on purpose and
 * {@link #reset()} makes it whole again.
 */
public final class Barrier extends SharedObject {
  static final String KIND = "barrier";

  private final int parties;

  Barrier(BrokerChannel channel, String name, byte[] info) {
    super(channel, name, KIND, info);
    this.parties = integer(info);
  }

  /**
   * Waits until every party has arrived.
   *
   * @return the arrival index: {@code getParties() - 1} for the first to arrive, 0 for the last
   * @throws InterruptedException when interrupted while waiting; the barrier breaks
   * @throws BrokenBarrierException when the barrier is or becomes broken
   */
  public int await() throws InterruptedException, BrokenBarrierException {
    try {
      return waitWithin(-1);
    } catch (TimeoutException e) {
      throw new IllegalStateException("a wait without a timeout timed out", e);
    }
  }

  /**
   * Waits until every party has arrived or the time is up.
   *
   * @param timeout how long to wait
   * @param unit its unit
   * @return the arrival index: {@code getParties() - 1} for the first to arrive, 0 for the last
   * @throws InterruptedException when interrupted while waiting; the barrier breaks
   * @throws BrokenBarrierException when the barrier is or becomes broken
   * @throws TimeoutException when the time ran out; the barrier breaks for everyone
   */
  public int await(long timeout, TimeUnit unit)
      throws InterruptedException, BrokenBarrierException, TimeoutException {
    return waitWithin(millis(timeout, unit));
  }

  private int waitWithin(long timeoutMillis)
      throws InterruptedException, BrokenBarrierException, TimeoutException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    long thread = thread();
    Reply reply = callWaiting("barrier.wait", packer -> {
      packer.packArrayHeader(2);
      packer.packLong(thread);
      packer.packLong(timeoutMillis);
    });
    if (reply.error() == ErrorCode.TIMEOUT) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      throw new TimeoutException(reply.message());
    }
    if (reply.error() == ErrorCode.BROKEN) {
      throw new BrokenBarrierException();
    }
    int index;
    byte[] action;
    int generation;
    try (var in = Wire.unpacker(check(reply, describe()).payload())) {
      in.unpackArrayHeader();
      index = in.unpackInt();
      action = Wire.unpackNullableBinary(in);
      generation = in.unpackInt();
    } catch (IOException e) {
      throw new BrokerException("malformed answer of " + describe(), e);
    }
    if (action != null) {
      runAction(action, generation);
    }
    return index;
  }

  private void runAction(byte[] action, int generation) {
    boolean succeeded = false;
    try {
      ResolvedTask.resolve(TaskDescriptor.decode(action),
          Thread.currentThread().getContextClassLoader()).invoke(new Object[0]);
      succeeded = true;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new Mp4jException("the action of barrier " + name + " failed: " + e, e);
    } finally {
      boolean done = succeeded;
      call("barrier.actionDone", packer -> {
        packer.packArrayHeader(2);
        packer.packInt(generation);
        packer.packBoolean(done);
      });
    }
  }

  /**
   * The number of parties needed to trip the barrier.
   *
   * @return the parties
   */
  public int getParties() {
    return parties;
  }

  /**
   * The number of parties waiting now.
   *
   * @return how many are waiting
   */
  public int getNumberWaiting() {
    return state()[1];
  }

  /**
   * Whether the barrier is broken.
   *
   * @return true when broken
   */
  public boolean isBroken() {
    return state()[2] != 0;
  }

  /** Breaks the barrier for the parties waiting and makes it whole again for the next ones. */
  public void reset() {
    call("barrier.reset", packer -> packer.packArrayHeader(0));
  }

  /** Breaks the barrier: every party waiting, and every later one, gets a BrokenBarrierException until {@link #reset()}. */
  public void abort() {
    call("barrier.abort", packer -> packer.packArrayHeader(0));
  }

  private int[] state() {
    Reply reply = call("barrier.state", packer -> packer.packArrayHeader(0));
    try (var in = Wire.unpacker(reply.payload())) {
      in.unpackArrayHeader();
      return new int[] {in.unpackInt(), in.unpackInt(), in.unpackBoolean() ? 1 : 0};
    } catch (IOException e) {
      throw new BrokerException("malformed state of " + describe(), e);
    }
  }
}
