package io.mp4j;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * The result of an asynchronous pool call: Python's {@code AsyncResult}.
 *
 * <p>Callbacks are stages of the {@link #toCompletableFuture() CompletableFuture view}: Python's
 * {@code callback} is {@code thenAccept}, its {@code error_callback} is {@code exceptionally} or
 * {@code whenComplete}. Stages added before completion run on the pool's results thread, in
 * completion order, as Python runs callbacks on its result handler thread.
 *
 * <p><b>Warning:</b> a callback that blocks holds up every other result of the pool; hand slow
 * work to your own executor with {@code thenAcceptAsync(action, executor)}.
 *
 * @param <T> the result type
 */
public final class AsyncResult<T> {
  private final CompletableFuture<T> future;
  private final Backend backend;
  private final boolean oneCall;

  /**
   * A future result.
   *
   * @param oneCall whether it is one call's result: a thread waiting for it does the backend's
   *     I/O meanwhile (see {@link Backend#helpUntil}). Not for a map's, whose results come as
   *     many messages: the map ran at less than half its speed when the waiting thread read them.
   */
  AsyncResult(CompletableFuture<T> future, Backend backend, boolean oneCall) {
    this.future = future;
    this.backend = backend;
    this.oneCall = oneCall;
  }

  /** Lets the backend put this thread to work on its I/O until the result or the deadline. */
  private void help(long deadlineNanos) {
    if (oneCall && !future.isDone()) {
      backend.helpUntil(future, deadlineNanos);
    }
  }

  /** The {@link System#nanoTime} deadline a timed wait starts with; Long.MAX_VALUE if none. */
  static long deadlineAfter(long timeout, TimeUnit unit) {
    long now = System.nanoTime();
    long nanos = unit.toNanos(timeout);
    return nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
  }

  /**
   * Waits for the result.
   *
   * @return the result
   * @throws ExecutionException when the task failed; its cause is the {@link Mp4jException}
   * @throws InterruptedException when interrupted while waiting
   */
  public T get() throws ExecutionException, InterruptedException {
    help(Long.MAX_VALUE);
    return future.get();
  }

  /**
   * Waits at most the given time for the result; the task goes on if time runs out.
   *
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return the result
   * @throws TimeoutException when the result is not ready in time (Python's TimeoutError)
   * @throws ExecutionException when the task failed; its cause is the {@link Mp4jException}
   * @throws InterruptedException when interrupted while waiting
   */
  public T get(long timeout, TimeUnit unit)
      throws TimeoutException, ExecutionException, InterruptedException {
    long deadline = deadlineAfter(timeout, unit);
    help(deadline);
    return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /**
   * Whether the call has finished, successfully or not.
   *
   * @return true once finished
   */
  public boolean ready() {
    return future.isDone();
  }

  /**
   * Whether the call finished without an exception.
   *
   * @return true when it succeeded
   * @throws IllegalStateException when it has not finished (Python raises ValueError)
   */
  public boolean successful() {
    if (!future.isDone()) {
      throw new IllegalStateException("the result is not ready");
    }
    return !future.isCompletedExceptionally();
  }

  /**
   * Waits until the call finishes, without returning the result: Python's {@code wait()}.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void await() throws InterruptedException {
    try {
      get();
    } catch (ExecutionException | CancellationException e) {
      // Finished with a failure; the caller asks only for completion.
    }
  }

  /**
   * Waits at most the given time for the call to finish: Python's {@code wait(timeout)}.
   *
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return whether the call finished in time
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
    try {
      get(timeout, unit);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException | CancellationException e) {
      return true;
    }
  }

  /**
   * A view as a CompletableFuture, for callbacks and composition. Completing or cancelling the
   * view does not change this result.
   *
   * @return a future that completes with this result
   */
  public CompletableFuture<T> toCompletableFuture() {
    // Completed directly rather than through copy(), so that stages see the task's own exception
    // instead of a CompletionException around it; and on the results thread, so that they never
    // run on the thread that reads the sockets.
    CompletableFuture<T> view = new CompletableFuture<>();
    BiConsumer<T, Throwable> forward = (value, error) -> {
      if (error != null) {
        view.completeExceptionally(error);
      } else {
        view.complete(value);
      }
    };
    try {
      future.whenCompleteAsync(forward, backend.callbacks());
    } catch (RejectedExecutionException e) {
      future.whenComplete(forward); // the pool has stopped, and its results thread with it
    }
    return view;
  }
}
