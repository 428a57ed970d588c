package io.mp4j.bench;

import io.mp4j.Pool;
import io.mp4j.bench.Section.Side;
import io.mp4j.broker.BrokerMain;
import io.mp4j.worker.WorkerMain;
import java.time.Duration;
import java.util.Locale;

/** Benchmark 3: the round trip of one apply at a time, p50 and p99. */
final class ApplyLatencyBenchmark implements Benchmark {
  static final double GOAL_STANDALONE_OVER_RAW = 1.2;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** Blocks of calls in which the standalone pool and the bare round trip take turns. */
  private static final int BLOCKS = 10;

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
            + " previous result: %,d untimed warm-up calls (for the JIT of every JVM on the"
            + " path: fewer left it compiling while the calls were timed), then %,d timed;"
            + " nearest-rank percentiles. Local mode is Pool.create(%d) (embedded broker, client over"
            + " inproc). Standalone is a BrokerMain JVM, a WorkerMain --processes %d JVM and"
            + " Pool.connect, all over TCP on loopback. Before the warm-up, each pool runs calls"
            + " until all %d workers have answered one. The limit is bare JeroMQ through the"
            + " same one-hop broker as benchmark 2 with one 8-byte request in flight, warmed"
            + " as long; it and the standalone pool take turns, %d blocks of %,d calls each.",
            sizes.applyWarmup(), sizes.applyCalls(), processes, processes, processes, BLOCKS,
            sizes.applyCalls() / BLOCKS));

    Latency local;
    try (Pool pool = Pool.create(processes)) {
      Warmup.awaitWorkers(pool, processes);
      warmUp(pool, sizes.applyWarmup());
      local = Latency.of(timeApplies(pool, sizes.applyCalls()));
    }
    section.figure(Side.MP4J, "local: Pool.create(" + processes + ").apply", local.format(),
        local.detail());

    Latency[] standaloneAndRaw = standaloneAndRaw(sizes, processes);
    Latency standalone = standaloneAndRaw[0];
    Latency raw = standaloneAndRaw[1];
    section.figure(Side.MP4J, "standalone broker: Pool.connect(...).apply", standalone.format(),
        standalone.detail());

    Latency python = Benchmark.python(context, section, () -> Latency.of(PythonSide.longs(
        context.python().run("apply", "--warmup", sizes.applyWarmup(), "--calls",
            sizes.applyCalls(), "--processes", processes).get("latencies_ns"))));
    if (python != null) {
      section.figure(Side.PYTHON, "Pool(" + processes + ").apply", python.format(),
          python.detail());
    }
    section.figure(Side.LIMIT, "bare JeroMQ one-hop broker", raw.format(), raw.detail());

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

  /**
   * The standalone pool's apply and the bare round trip, timed in turns of {@link #BLOCKS}
   * blocks each, with both set up and warmed first.
   */
  private static Latency[] standaloneAndRaw(Sizes sizes, int processes) {
    String address = "tcp://127.0.0.1:" + RawZmq.freePort();
    try (ChildProcess broker = ChildProcess.startJava("broker", "mp4j broker listening on",
            START_TIMEOUT, BrokerMain.class.getName(), "--bind", address);
        ChildProcess workers = ChildProcess.startJava("worker", "processes serving",
            START_TIMEOUT, WorkerMain.class.getName(), "--connect", address,
            "--processes", Integer.toString(processes));
        Pool pool = Pool.connect(address, null);
        RawZmq zmq = RawZmq.start()) {
      Warmup.awaitWorkers(pool, processes);
      warmUp(pool, sizes.applyWarmup());
      zmq.roundTrips(sizes.applyWarmup());
      return Latency.interleaved(sizes.applyCalls(), BLOCKS, calls -> timeApplies(pool, calls),
          zmq::roundTrips);
    }
  }

  private static void warmUp(Pool pool, int calls) {
    for (int i = 0; i < calls; i++) {
      pool.apply(Tasks.SQUARE, i);
    }
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
