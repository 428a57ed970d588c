package io.mp4j.bench;

import io.mp4j.Pool;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
   * heap has settled and the JIT compilers have gone quiet.
   *
   * <p>The heap has settled when a collection has come since the heap or its young generation
   * last grew. The first touch of a page of memory is a page fault, dear on a virtual machine: a
   * young JVM's collector grows the young generation as the work goes on, and a round that
   * allocates in it before a collection has come round once touches fresh pages. A run of 1 KiB
   * queue items at such a time went at a fifth of its rate a few rounds later.
   *
   * <p>The compilers are quiet when, in each of the last two rounds, the compiler threads of
   * this JVM and of the JVMs it started used less CPU than a tenth of the round's time. On 2
   * cores C2 compiles the client's submit path (about 50 kB of machine code) in close to a second
   * while the rounds compete with it, and an uncommon trap late in the warm-up sends the path
   * back to slower code to be compiled again: in a fresh JVM, rounds of 50,000 {@code applyAsync}
   * calls took about 0.5 s for ten rounds, with quiet rounds among them, and settled at about
   * 0.1 s from the twentieth; a full run that stopped warming up after 8 rounds, its heap
   * settled, had a median timed round of 0.462 s.
   *
   * @return how many rounds ran
   */
  static <E extends Exception> int untilSettled(int min, int max, Round<E> round) throws E {
    HeapWatch heap = new HeapWatch();
    CompilerWatch compilers = new CompilerWatch();
    int rounds = 0;
    boolean settled = false;
    while (rounds < max && (rounds < min || !settled)) {
      round.run();
      rounds++;
      // Both watches look at every round, so that each judges the round just run.
      boolean heapSettled = !heap.unsettled();
      boolean compilersQuiet = compilers.quiet();
      settled = heapSettled && compilersQuiet;
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

  /**
   * Watches the CPU time of the JIT compiler threads of this JVM and of its descendants, from
   * {@code /proc}; where there is none, the compilers always count as quiet.
   */
  private static final class CompilerWatch {
    private static final Path PROC = Path.of("/proc");
    /** Linux reports thread CPU time in ticks of 1/100 s to user space. */
    private static final long MILLIS_PER_TICK = 10;
    /** Thread names as {@code /proc} cuts them to 15 characters. */
    private static final Set<String> COMPILER_THREADS = Set.of("C1 CompilerThre", "C2 CompilerThre");
    private static final int QUIET_ROUNDS_NEEDED = 2;

    private Map<String, Long> ticks = compilerTicks();
    private long roundStart = System.nanoTime();
    private int quietRounds;

    /** Whether the compilers were quiet in the round just ended and the one before it. */
    boolean quiet() {
      Map<String, Long> now = compilerTicks();
      long end = System.nanoTime();
      long busyTicks = 0;
      for (Map.Entry<String, Long> thread : now.entrySet()) {
        // Threads come and go with processes and with the JVM's own compiler thread count.
        busyTicks += Math.max(0, thread.getValue() - ticks.getOrDefault(thread.getKey(), 0L));
      }
      long roundMillis = (end - roundStart) / 1_000_000;
      quietRounds = busyTicks * MILLIS_PER_TICK * 10 < roundMillis ? quietRounds + 1 : 0;
      ticks = now;
      roundStart = end;
      return quietRounds >= QUIET_ROUNDS_NEEDED;
    }

    /** CPU ticks of every compiler thread, by process and thread id. */
    private static Map<String, Long> compilerTicks() {
      Map<String, Long> ticks = new HashMap<>();
      if (!Files.isDirectory(PROC)) {
        return ticks;
      }
      List<Long> pids = new ArrayList<>();
      pids.add(ProcessHandle.current().pid());
      ProcessHandle.current().descendants().forEach(process -> pids.add(process.pid()));
      for (long pid : pids) {
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(
            PROC.resolve(Long.toString(pid)).resolve("task"))) {
          for (Path thread : threads) {
            readCompilerTicks(pid, thread, ticks);
          }
        } catch (IOException | UncheckedIOException e) {
          // The process ended while being read: its compilers are no longer a concern.
        }
      }
      return ticks;
    }

    private static void readCompilerTicks(long pid, Path thread, Map<String, Long> ticks) {
      String stat;
      try {
        stat = Files.readString(thread.resolve("stat"));
      } catch (IOException e) {
        return;
      }
      // pid (comm) state ppid ...: the name may hold spaces, so fields count from its ')'.
      int nameEnd = stat.lastIndexOf(')');
      String name = stat.substring(stat.indexOf('(') + 1, nameEnd);
      if (!COMPILER_THREADS.contains(name)) {
        return;
      }
      String[] fields = stat.substring(nameEnd + 2).split(" ");
      long userTicks = Long.parseLong(fields[11]);
      long systemTicks = Long.parseLong(fields[12]);
      ticks.put(pid + "/" + thread.getFileName(), userTicks + systemTicks);
    }
  }
}
