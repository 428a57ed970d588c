package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Wire;
import java.lang.reflect.Type;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Queue} that counts unfinished items: Python's {@code multiprocessing.JoinableQueue}.
 * Every item put must be marked done with {@link #taskDone()} by whoever processed it;
 * {@link #join()} waits, in the broker, until all of them are.
 *
 * @param <E> the item type
 */
public final class JoinableQueue<E> extends Queue<E> {

  JoinableQueue(BrokerChannel channel, String name, Type itemType, int maxSize) {
    super(channel, name, itemType, maxSize, true);
  }

  /**
   * Marks one item taken from the queue as processed.
   *
   * @throws IllegalStateException when called more times than items were put (Python raises
   *     ValueError), or when the queue no longer exists
   */
  public void taskDone() {
    Reply reply = await(requestOf("queue.taskDone", new byte[] {(byte) 0x90}), name());
    if (reply.error() == ErrorCode.BAD_REQUEST) {
      throw new IllegalStateException(reply.message());
    }
    check(reply, name());
  }

  /**
   * Waits until every item put has been marked done.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void join() throws InterruptedException {
    check(awaitInterruptibly("queue.join", timeoutArgs(-1)), name());
  }

  /**
   * Waits at most the given time until every item put has been marked done.
   *
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return whether every item was done in time
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean join(long timeout, TimeUnit unit) throws InterruptedException {
    Reply reply = awaitInterruptibly("queue.join",
        timeoutArgs(Math.max(timeout == 0 ? 0 : 1, unit.toMillis(timeout))));
    if (reply.error() == ErrorCode.TIMEOUT) {
      return false;
    }
    check(reply, name());
    return true;
  }

  private static byte[] timeoutArgs(long millis) {
    return Wire.pack(packer -> {
      packer.packArrayHeader(1);
      packer.packLong(millis);
    });
  }
}
