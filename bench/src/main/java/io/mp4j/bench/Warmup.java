package io.mp4j.bench;

import io.mp4j.Pool;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** Readiness of a fresh pool before anything on it is timed. */
final class Warmup {
  /** Worker JVMs start in well under this; a bound, not a wait. */
  static final Duration WORKERS_TIMEOUT = Duration.ofSeconds(60);

  private Warmup() {}

  /**
   * Calls a task that returns its worker's pid until {@code workers} different pids answered.
   * Worker JVMs connect some time after the pool or daemon starts, and one joining during a timed
   * round would be measured cold or not at all. The pool's worker count cannot tell: it reaches
   * the client only in broker heartbeats, which the broker skips while results flow.
   *
   * @throws IllegalStateException when fewer answered within {@link #WORKERS_TIMEOUT}
   */
  static void awaitWorkers(Pool pool, int workers) {
    long deadline = System.nanoTime() + WORKERS_TIMEOUT.toNanos();
    Set<Long> answered = new HashSet<>();
    int call = 0;
    while (answered.size() < workers) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + answered.size() + " of " + workers
            + " workers answered within " + WORKERS_TIMEOUT.toSeconds() + " s");
      }
      answered.add(pool.apply(Tasks.PID, call++));
    }
  }
}
