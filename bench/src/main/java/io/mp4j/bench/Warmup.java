package io.mp4j.bench;

import io.mp4j.Pool;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
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

  /** One warm-up round. */
  interface Round<E extends Exception> {
    void run() throws E;
  }

  /**
   * Runs warm-up rounds: at least {@code min}, then more, up to {@code max}, until this JVM's
   * heap has settled, that is until a collection has come since the heap or its young generation
   * last grew. The first touch of a page of memory is a page fault, dear on a virtual machine: a
   * young JVM's collector grows the young generation as the work goes on, and a round that
   * allocates in it before a collection has come round once touches fresh pages. A run of 1 KiB
   * queue items at such a time went at a fifth of its rate a few rounds later.
   *
   * @return how many rounds ran
   */
  static <E extends Exception> int untilHeapSettles(int min, int max, Round<E> round) throws E {
    HeapWatch heap = new HeapWatch();
    int rounds = 0;
    while (rounds < max && (rounds < min || heap.unsettled())) {
      round.run();
      rounds++;
    }
    return rounds;
  }

  /** Watches this JVM's heap for growth and for collections after it. */
  private static final class HeapWatch {
    private long heap = committedHeap();
    private long young = committedYoung();
    private long collectionsAtGrowth = collections();

    /** Whether the heap grew since the last look, or no collection came since it last grew. */
    boolean unsettled() {
      long heapNow = committedHeap();
      long youngNow = committedYoung();
      long collections = collections();
      if (heapNow > heap || youngNow > young) {
        heap = Math.max(heap, heapNow);
        young = Math.max(young, youngNow);
        collectionsAtGrowth = collections;
        return true;
      }
      return collections == collectionsAtGrowth;
    }

    private static long committedHeap() {
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    private static long committedYoung() {
      long committed = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP && pool.getName().contains("Eden")) {
          committed += pool.getUsage().getCommitted();
        }
      }
      return committed;
    }

    private static long collections() {
      long count = 0;
      for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
        count += Math.max(0, collector.getCollectionCount());
      }
      return count;
    }
  }
}
