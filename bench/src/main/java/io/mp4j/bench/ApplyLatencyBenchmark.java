package io.mp4j.bench;

import io.mp4j.Pool;
import io.mp4j.bench.Section.Side;
import io.mp4j.broker.BrokerMain;
import io.mp4j.worker.WorkerMain;
import java.time.Duration;
import java.util.Locale;
import java.util.function.IntConsumer;

/** Benchmark 3: the round trip of one apply at a time, p50 and p99. */
final class ApplyLatencyBenchmark implements Benchmark {
  static final double GOAL_STANDALONE_OVER_RAW = 1.2;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** Blocks of calls in which the standalone pool and the bare round trip take turns. */
  private static final int BLOCKS = 10;
  /** Warm-up calls between two looks at the page faults and the JIT compilers. */
  private static final int WARMUP_ROUND = 5_000;
  /** The most warm-up, as a multiple of the sizes' warm-up calls. */
  private static final int MAX_WARMUP_FACTOR = 3;

  @Override
  public String key() {
    return "apply";
  }

  @Override
  public String title() {
    return "apply round trip";
  }

  @Override
  public Section run(Context context) throws Exception {
    Sizes sizes = context.sizes();
    int processes = context.processes();
    Section section = new Section(key(), title(),
        String.format(Locale.US, "Sequential apply(x -> x * x, i) calls, each after the"
            + " previous result: at least %,d untimed warm-up calls, and more, up to %,d, in"
            + " rounds of %,d, until, in each of the last two rounds, the JVMs of the run took"
            + " fewer page faults than the round lasted milliseconds and their JIT compilers used"
            + " under a tenth of its time (each figure says how many); then %,d timed;"
            + " nearest-rank percentiles. Local mode is Pool.create(%d) (embedded broker, client over"
            + " inproc). Standalone is a BrokerMain JVM, a WorkerMain --processes %d JVM and"
            + " Pool.connect, all over TCP on loopback. Before the warm-up, each pool runs calls"
            + " until all %d workers have answered one. The limit is bare JeroMQ through the"
            + " same one-hop broker as benchmark 2 with one 8-byte request in flight, warmed"
            + " as long; it and the standalone pool take turns, %d blocks of %,d calls each.",
            sizes.applyWarmup(), sizes.applyWarmup() * MAX_WARMUP_FACTOR,
            warmupRound(sizes), sizes.applyCalls(), processes,
            processes, processes, BLOCKS, sizes.applyCalls() / BLOCKS));

    Latency local;
    int localWarmup;
    try (Pool pool = Pool.create(processes)) {
      Warmup.awaitWorkers(pool, processes);
      localWarmup = warmUp(sizes, calls -> timeApplies(pool, calls));
      local = Latency.of(timeApplies(pool, sizes.applyCalls()));
    }
    section.figure(Side.MP4J, "local: Pool.create(" + processes + ").apply", local.format(),
        local.detail() + warmedBy(localWarmup));

    StandaloneAndRaw measured = standaloneAndRaw(sizes, processes);
    Latency standalone = measured.standalone();
    Latency raw = measured.raw();
    section.figure(Side.MP4J, "standalone broker: Pool.connect(...).apply", standalone.format(),
        standalone.detail() + warmedBy(measured.standaloneWarmup()));

    Latency python = Benchmark.python(context, section, () -> Latency.of(PythonSide.longs(
        context.python().run("apply", "--warmup", sizes.applyWarmup(), "--calls",
            sizes.applyCalls(), "--processes", processes).get("latencies_ns"))));
    if (python != null) {
      section.figure(Side.PYTHON, "Pool(" + processes + ").apply", python.format(),
          python.detail());
    }
    section.figure(Side.LIMIT, "bare JeroMQ one-hop broker", raw.format(),
        raw.detail() + warmedBy(measured.rawWarmup()));

    String localGoal = "local p50 <= Python apply p50";
    if (python == null) {
      section.unmeasuredGoal(localGoal, "no Python figure");
    } else {
      section.goal(localGoal, Latency.micros(local.p50Nanos()) + " vs "
          + Latency.micros(python.p50Nanos()), local.p50Nanos() <= python.p50Nanos());
    }
    double ratio = (double) standalone.p50Nanos() / raw.p50Nanos();
    section.goal("standalone p50 <= " + GOAL_STANDALONE_OVER_RAW + "x bare JeroMQ p50",
        String.format(Locale.US, "%.2fx (%s vs %s; p99 %.2fx)", ratio,
            Latency.micros(standalone.p50Nanos()), Latency.micros(raw.p50Nanos()),
            (double) standalone.p99Nanos() / raw.p99Nanos()),
        ratio <= GOAL_STANDALONE_OVER_RAW);
    section.note("The bare path has one thread at each end, as mp4j has: its worker's task"
        + " thread runs the event loop while it waits for a task, and its caller while it waits"
        + " for the result. Each JVM also frames, encodes and routes the call.");
    return section;
  }

  private record StandaloneAndRaw(Latency standalone, Latency raw, int standaloneWarmup,
      int rawWarmup) {}

  /**
   * The standalone pool's apply and the bare round trip, timed in turns of {@link #BLOCKS}
   * blocks each, with both set up and warmed first.
   */
  private static StandaloneAndRaw standaloneAndRaw(Sizes sizes, int processes) {
    String address = "tcp://127.0.0.1:" + RawZmq.freePort();
    try (ChildProcess broker = ChildProcess.startJava("broker", "mp4j broker listening on",
            START_TIMEOUT, BrokerMain.class.getName(), "--bind", address);
        ChildProcess workers = ChildProcess.startJava("worker", "processes serving",
            START_TIMEOUT, WorkerMain.class.getName(), "--connect", address,
            "--processes", Integer.toString(processes));
        Pool pool = Pool.connect(address, null);
        RawZmq zmq = RawZmq.start()) {
      Warmup.awaitWorkers(pool, processes);
      int standaloneWarmup = warmUp(sizes, calls -> timeApplies(pool, calls));
      int rawWarmup = warmUp(sizes, zmq::roundTrips);
      Latency[] timed = Latency.interleaved(sizes.applyCalls(), BLOCKS,
          calls -> timeApplies(pool, calls), zmq::roundTrips);
      return new StandaloneAndRaw(timed[0], timed[1], standaloneWarmup, rawWarmup);
    }
  }

  /**
   * Untimed calls in rounds until the JVMs' page faults and JIT compilers have gone quiet (see
   * {@link Warmup#untilSettled}). After 50,000 sequential calls through a standalone broker,
   * the JVMs were not done: in one run their compilers were busy for 30,000 more calls, rounds
   * of 5,000 with 160 to 460 ms of compiling having a p99 of 0.5 to 2.9 ms and a p50 of 206 to
   * 272 µs, the rounds with under 40 ms of it 0.37 to 0.56 ms and 170 to 218 µs; in another the
   * client JVM took about 4,500 page faults a round for five more rounds, at a p50 of 221 to 285
   * µs, and 3 to 889 in the rounds after, at 188 to 209 µs.
   *
   * @return how many calls ran
   */
  private static int warmUp(Sizes sizes, IntConsumer calls) {
    int round = warmupRound(sizes);
    int minRounds = Math.max(1, (sizes.applyWarmup() + round - 1) / round);
    int rounds = Warmup.untilSettled(minRounds, minRounds * MAX_WARMUP_FACTOR,
        Warmup.Memory.FEW_PAGE_FAULTS, () -> calls.accept(round));
    return rounds * round;
  }

  /** Calls in one round of the warm-up: a round, or all of a smaller warm-up. */
  private static int warmupRound(Sizes sizes) {
    return Math.max(1, Math.min(WARMUP_ROUND, sizes.applyWarmup()));
  }

  private static String warmedBy(int calls) {
    return String.format(Locale.US, " after %,d warm-up", calls);
  }

  private static long[] timeApplies(Pool pool, int calls) {
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      Long result = pool.apply(Tasks.SQUARE, i);
      nanos[i] = System.nanoTime() - start;
      if (result != (long) i * i) {
        throw new IllegalStateException("apply returned " + result + " for " + i);
      }
    }
    return nanos;
  }
}
