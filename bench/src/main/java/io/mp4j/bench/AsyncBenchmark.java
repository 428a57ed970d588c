package io.mp4j.bench;

import io.mp4j.AsyncResult;
import io.mp4j.Pool;
import io.mp4j.bench.Section.Side;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;

/** Benchmark 2: trivial tasks without chunking, each its own applyAsync. */
final class AsyncBenchmark implements Benchmark {
  static final double GOAL_TASKS_PER_SECOND = 100_000;
  static final double GOAL_RATIO = 4;

  @Override
  public String key() {
    return "async";
  }

  @Override
  public String title() {
    return "Trivial tasks without chunking";
  }

  @Override
  public Section run(Context context) throws Exception {
    Sizes sizes = context.sizes();
    int n = sizes.asyncTasks();
    int processes = context.processes();
    Section section = new Section(key(), title(),
        String.format(Locale.US, "%,d applyAsync calls of x -> x * x, then get() on every"
            + " result, in one pool kept for all rounds, which first runs calls until every"
            + " worker answered one. Untimed warm-up rounds: %d, and in a JVM more, up to %d,"
            + " until a collection has come since its heap last grew and the JIT compilers of"
            + " every JVM of the run used under a tenth of each of the last two rounds (each"
            + " figure says how many); timed rounds: %d, median reported. The limit is bare JeroMQ through a"
            + " one-hop broker (client DEALER -> broker ROUTER/DEALER proxy -> echo DEALER, three JVMs)"
            + " with %,d requests of 8 bytes in flight, %,d requests per round.",
            n, sizes.warmupRounds(), sizes.warmupRounds() * Throughput.MAX_WARMUP_FACTOR,
            sizes.rounds(), sizes.rawInFlight(), sizes.rawRequests()));

    Throughput mp4j;
    try (Pool pool = Pool.create(processes)) {
      Warmup.awaitWorkers(pool, processes);
      mp4j = Throughput.measure(sizes, n, () -> applyAllThenGet(pool, n));
    }
    section.figure(Side.MP4J, "Pool.create(" + processes + ").applyAsync", mp4j.format("tasks/s"),
        mp4j.detail());

    Throughput python = Benchmark.python(context, section, () -> {
      var result = context.python().run("async", "--tasks", n, "--processes", processes,
          "--warmup", sizes.warmupRounds(), "--rounds", sizes.rounds());
      return new Throughput(n, PythonSide.doubles(result.get("rounds_s")),
          sizes.warmupRounds());
    });
    if (python != null) {
      section.figure(Side.PYTHON, "Pool(" + processes + ").apply_async", python.format("tasks/s"),
          python.detail());
    }

    Throughput raw;
    try (RawZmq zmq = RawZmq.start()) {
      raw = Throughput.measure(sizes, sizes.rawRequests(),
          () -> zmq.pipelined(sizes.rawRequests(), sizes.rawInFlight()));
    }
    section.figure(Side.LIMIT, "bare JeroMQ one-hop broker", raw.format("requests/s"),
        raw.detail());

    String absolute = String.format(Locale.US, "mp4j >= %,.0f tasks/s", GOAL_TASKS_PER_SECOND);
    section.goal(absolute, mp4j.format("tasks/s"), mp4j.perSecond() >= GOAL_TASKS_PER_SECOND);
    String relative = "mp4j >= " + (int) GOAL_RATIO + "x Python";
    if (python == null) {
      section.unmeasuredGoal(relative, "no Python figure");
    } else {
      double ratio = mp4j.perSecond() / python.perSecond();
      section.goal(relative, String.format(Locale.US, "%.2fx", ratio), ratio >= GOAL_RATIO);
    }
    return section;
  }

  /** Makes {@code n} applyAsync calls, then gets every result and checks the last. */
  static void applyAllThenGet(Pool pool, int n) {
    List<AsyncResult<Long>> pending = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      pending.add(pool.applyAsync(Tasks.SQUARE, i));
    }
    long lastValue = -1;
    try {
      for (AsyncResult<Long> result : pending) {
        lastValue = result.get();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("a task failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    long last = n - 1;
    if (lastValue != last * last) {
      throw new IllegalStateException("applyAsync returned a wrong result");
    }
  }
}
