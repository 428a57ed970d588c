package io.mp4j.bench;

import io.mp4j.Pool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
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

  /** What a warm-up waits for in memory, besides JIT compilers that have gone quiet. */
  enum Memory {
    /**
     * A collection since this JVM's heap or its young generation last grew: for rounds that
     * allocate much, whose JVMs go on touching fresh pages for longer than any warm-up.
     */
    HEAP_SETTLED,
    /**
     * In each of the last two rounds, fewer minor page faults in the JVMs of the run than the
     * round lasted milliseconds: for rounds that allocate little, which the heap's rule lets
     * through too early.
     */
    FEW_PAGE_FAULTS
  }

  /**
   * Runs warm-up rounds: at least {@code min}, then more, up to {@code max}, until the JVMs of
   * the run have settled: their memory as {@code memory} says, and, in each of the last two
   * rounds, the JIT compiler threads of this JVM and of the processes it started used less CPU
   * than a tenth of the round's time, or a single tick of it. The processes are read from {@code
   * /proc}; where there is none, their compilers and page faults count as quiet.
   *
   * <p>The first touch of a page of memory is a page fault, dear on a virtual machine, and a
   * young JVM touches fresh pages as its heap's young generation grows and as the collector puts
   * it in regions not used before. A run of 1 KiB queue items went at a fifth of its rate while
   * the client's heap was growing. Waiting for the page faults to stop suits rounds that
   * allocate little: after 50,000 sequential calls through a standalone broker, with a collection
   * since the heap last grew, the client JVM still took about 4,500 page faults in each round of
   * 5,000 calls for five more rounds, at a p50 of 221 to 285 µs, and the rounds after, with 3 to
   * 889, had 188 to 209 µs. Rounds of maps or queue runs never got there in 30 and 16 rounds, and
   * the full run that waited for it had a map at 1.05x Python's and 1 KiB queue items at 1.14x,
   * against 1.97x and 4.71x in the run before it, which waited for the heap's rule.
   *
   * <p>On 2 cores C2 compiles the client's submit path (about 50 kB of machine code) in close to
   * a second while the rounds compete with it, and an uncommon trap late in the warm-up sends the
   * path back to slower code to be compiled again: in a fresh JVM, rounds of 50,000 {@code
   * applyAsync} calls took about 0.5 s for ten rounds, with quiet rounds among them, and settled
   * at about 0.1 s from the twentieth; a full run that stopped warming up after 8 rounds had a
   * median timed round of 0.462 s.
   *
   * @return how many rounds ran
   */
  static <E extends Exception> int untilSettled(int min, int max, Memory memory, Round<E> round)
      throws E {
    boolean watchFaults = memory == Memory.FEW_PAGE_FAULTS;
    HeapWatch heap = watchFaults ? null : new HeapWatch();
    RunWatch run = new RunWatch();
    int rounds = 0;
    boolean settled = false;
    while (rounds < max && (rounds < min || !settled)) {
      round.run();
      rounds++;
      // Each watch looks at every round, so that it judges the round just run.
      boolean heapSettled = watchFaults || !heap.unsettled();
      boolean runSettled = run.settled(watchFaults);
      settled = heapSettled && runSettled;
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

  /** Watches the page faults and the compiler threads of this JVM and its descendants. */
  private static final class RunWatch {
    private static final Path PROC = Path.of("/proc");
    /** Linux reports CPU time in ticks of 1/100 s to user space. */
    private static final long MILLIS_PER_TICK = 10;
    /** Thread names as {@code /proc} cuts them to 15 characters. */
    private static final Set<String> COMPILER_THREADS =
        Set.of("C1 CompilerThre", "C2 CompilerThre");
    private static final int QUIET_ROUNDS_NEEDED = 2;

    private Counters counters = Counters.read();
    private long roundStart = System.nanoTime();
    private int quietRounds;

    /**
     * Whether the round just ended and the one before it were quiet: the compilers, and with
     * {@code faultsToo} the page faults as well.
     */
    boolean settled(boolean faultsToo) {
      Counters now = Counters.read();
      long end = System.nanoTime();
      long faults = grown(counters.faults(), now.faults());
      long compilerTicks = grown(counters.compilerTicks(), now.compilerTicks());
      long roundMillis = (end - roundStart) / 1_000_000;
      // One tick is the finest /proc tells: in a round of 50 ms it would be a fifth, and short
      // rounds would never count as quiet.
      boolean compilersQuiet = compilerTicks <= 1
          || compilerTicks * MILLIS_PER_TICK * 10 < roundMillis;
      boolean quiet = compilersQuiet && (!faultsToo || faults < roundMillis);
      quietRounds = quiet ? quietRounds + 1 : 0;
      counters = now;
      roundStart = end;
      return quietRounds >= QUIET_ROUNDS_NEEDED;
    }

    /** How much the counters grew in all, a counter new since {@code before} from 0. */
    private static <K> long grown(Map<K, Long> before, Map<K, Long> now) {
      long grown = 0;
      for (Map.Entry<K, Long> counter : now.entrySet()) {
        // Processes come and go, and so do a JVM's compiler threads.
        grown += Math.max(0, counter.getValue() - before.getOrDefault(counter.getKey(), 0L));
      }
      return grown;
    }

    /**
     * Minor page faults of each process, by pid, and CPU ticks of each compiler thread, by
     * {@code PID/TID}.
     */
    private record Counters(Map<Long, Long> faults, Map<String, Long> compilerTicks) {
      static Counters read() {
        Counters counters = new Counters(new HashMap<>(), new HashMap<>());
        if (Files.isDirectory(PROC)) {
          ProcessHandle.current().descendants()
              .forEach(process -> counters.readProcess(process.pid()));
          counters.readProcess(ProcessHandle.current().pid());
        }
        return counters;
      }

      private void readProcess(long pid) {
        Path process = PROC.resolve(Long.toString(pid));
        String[] fields = statFields(process);
        if (fields == null) {
          return;
        }
        faults.put(pid, Long.parseLong(fields[8]));
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(process.resolve("task"))) {
          for (Path thread : threads) {
            String[] threadFields = statFields(thread);
            if (threadFields != null && COMPILER_THREADS.contains(threadFields[0])) {
              compilerTicks.put(pid + "/" + thread.getFileName(),
                  Long.parseLong(threadFields[12]) + Long.parseLong(threadFields[13]));
            }
          }
        } catch (IOException | UncheckedIOException e) {
          // The process ended while being read: it is no longer a concern.
        }
      }
    }

    /**
     * The fields of a process's or thread's {@code stat}: its name, then the fields after it
     * (state first), so that index 8 is the minor faults and 12 and 13 the user and system
     * ticks; null when it has ended.
     */
    private static String[] statFields(Path entry) {
      String stat;
      try {
        stat = Files.readString(entry.resolve("stat"));
      } catch (IOException e) {
        return null;
      }
      // pid (comm) state ppid ...: the name may hold spaces, so fields count from its ')'.
      int nameEnd = stat.lastIndexOf(')');
      String[] after = stat.substring(nameEnd + 2).split(" ");
      String[] fields = new String[after.length + 1];
      fields[0] = stat.substring(stat.indexOf('(') + 1, nameEnd);
      System.arraycopy(after, 0, fields, 1, after.length);
      return fields;
    }
  }
}
