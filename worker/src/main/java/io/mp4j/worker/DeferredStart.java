package io.mp4j.worker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Work put off until a moment that suits it, or until a delay has passed, whichever comes first;
 * it runs once. The class-data training run waits this way for the pool that needed it to close,
 * so that it does not share the cores with that pool's start and first work.
 */
final class DeferredStart {
  private final AtomicReference<Runnable> pending = new AtomicReference<>();

  /**
   * Holds {@code work} until {@link #now()} or until {@code delay} has passed. Work held before
   * and not yet run is replaced.
   */
  void schedule(Runnable work, Duration delay) {
    pending.set(work);
    CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS,
        DeferredStart::daemon).execute(() -> run(work));
  }

  /** Runs the held work now, on this thread, if it has not run yet. */
  void now() {
    Runnable work = pending.getAndSet(null);
    if (work != null) {
      work.run();
    }
  }

  private void run(Runnable work) {
    if (pending.compareAndSet(work, null)) {
      work.run();
    }
  }

  /** The delayed run gets a thread of its own that does not keep the JVM alive. */
  private static void daemon(Runnable task) {
    Thread thread = new Thread(task, "mp4j-deferred-start");
    thread.setDaemon(true);
    thread.start();
  }
}
