package io.mp4j;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs batches on threads of this JVM, with no encoding: Python's {@code multiprocessing.dummy}.
 * Listeners run on the pool thread that ran the batch.
 */
final class ThreadBackend implements Backend {
  private final int threads;
  private final ExecutorService executor;

  ThreadBackend(int threads, TaskFunction initializer, Object[] initializerArgs) {
    this.threads = threads;
    AtomicInteger index = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(threads, runnable -> {
      Runnable body = initializer == null ? runnable : () -> {
        try {
          initializer.call(initializerArgs);
        } catch (Exception e) {
          System.err.println("mp4j: the pool initializer failed: " + e);
          e.printStackTrace();
        }
        runnable.run();
      };
      Thread thread = new Thread(body, "mp4j-thread-" + index.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  private final ExecutorService callbacks = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "mp4j-results");
    thread.setDaemon(true);
    return thread;
  });

  @Override
  public java.util.concurrent.Executor callbacks() {
    return callbacks;
  }

  @Override
  public int processes() {
    return threads;
  }

  @Override
  public void execute(Batch batch, boolean callerWaits) {
    try {
      executor.execute(() -> run(batch));
    } catch (RejectedExecutionException e) {
      throw new RejectedExecutionException("the pool was terminated", e);
    }
  }

  private static void run(Batch batch) {
    int count = batch.size();
    Object[] values = new Object[count];
    Mp4jException[] errors = null;
    for (int i = 0; i < count; i++) {
      try {
        values[i] = batch.function().call(batch.arguments(i));
      } catch (Exception | StackOverflowError e) {
        if (errors == null) {
          errors = new Mp4jException[count];
        }
        errors[i] = new RemoteTaskException(
            new RemoteTraceback(io.mp4j.protocol.RemoteError.of(e)));
      }
    }
    batch.listener().completed(0, values, errors);
  }

  @Override
  public void terminate() {
    executor.shutdownNow();
    callbacks.shutdown();
  }

  @Override
  public void stop() {
    executor.shutdown();
    callbacks.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
