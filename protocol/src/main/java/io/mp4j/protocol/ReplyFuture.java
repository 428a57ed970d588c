package io.mp4j.protocol;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future reply of one REQUEST, with the request's number. A channel may give it a
 * {@link Waiter}, which a thread that waits for the reply calls first, so that the channel can put
 * that thread to work on its socket meanwhile. Not for users.
 */
public final class ReplyFuture extends CompletableFuture<Reply> {
  private static final long NO_DEADLINE = Long.MAX_VALUE;

  /** What a thread does before it waits for a reply in the ordinary way. */
  @FunctionalInterface
  public interface Waiter {
    /**
     * Returns once the reply is done, the deadline has passed, or this thread has nothing to
     * add; the wait then goes on as a plain future's would.
     *
     * @param reply the reply waited for
     * @param deadlineNanos a {@link System#nanoTime} deadline, or {@code Long.MAX_VALUE}
     */
    void helpUntil(ReplyFuture reply, long deadlineNanos);
  }

  private final long requestId;
  private final Waiter waiter;

  /** A future for the request with this number. */
  public ReplyFuture(long requestId) {
    this(requestId, null);
  }

  /** A future for the request with this number, whose waiters call {@code waiter} first. */
  public ReplyFuture(long requestId, Waiter waiter) {
    this.requestId = requestId;
    this.waiter = waiter;
  }

  /** The number of the request this future answers. */
  public long requestId() {
    return requestId;
  }

  @Override
  public Reply get() throws InterruptedException, ExecutionException {
    help(NO_DEADLINE);
    return super.get();
  }

  @Override
  public Reply get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = deadlineAfter(unit.toNanos(timeout));
    help(deadline);
    return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  @Override
  public Reply join() {
    help(NO_DEADLINE);
    return super.join();
  }

  /**
   * Waits until done or the deadline, in the ordinary way and without its outcome: for a
   * {@link Waiter} that has nothing to add but wants to know when the wait ends.
   */
  public void awaitQuietly(long deadlineNanos) {
    try {
      if (deadlineNanos == NO_DEADLINE) {
        super.get();
      } else {
        super.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | CancellationException e) {
      // The caller's own wait that follows reports the outcome.
    }
  }

  private void help(long deadlineNanos) {
    if (waiter != null && !isDone()) {
      waiter.helpUntil(this, deadlineNanos);
    }
  }

  private static long deadlineAfter(long nanos) {
    long now = System.nanoTime();
    return nanos >= NO_DEADLINE - now ? NO_DEADLINE - 1 : now + nanos;
  }
}
