package io.mp4j.bench;

import io.mp4j.Pool;
import io.mp4j.bench.Section.Side;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/** Benchmark 1: trivial tasks through map with automatic chunking. */
final class MapBenchmark implements Benchmark {
  static final double GOAL_RATIO = 1.5;

  @Override
  public String key() {
    return "map";
  }

  @Override
  public String title() {
    return "Trivial tasks through map";
  }

  @Override
  public Section run(Context context) throws Exception {
    Sizes sizes = context.sizes();
    int n = sizes.mapItems();
    int processes = context.processes();
    Section section = new Section(key(), title(),
        String.format(Locale.US, "x -> x * x over the ints 0..%,d through map with the default"
            + " chunking (about four chunks per worker), in one pool kept for all rounds,"
            + " which first runs calls until every worker answered one."
            + " Untimed warm-up rounds: %d, and in a JVM more, up to %d,"
            + " until a collection has come since its heap last grew and the JIT compilers of"
            + " every JVM of the run used under a tenth of each of the last two rounds (each"
            + " figure says how many); timed rounds: %d, median reported. The limit is"
            + " a parallel stream over the same boxed ints in one JVM.",
            n - 1, sizes.warmupRounds(),
            sizes.warmupRounds() * Throughput.MAX_WARMUP_FACTOR, sizes.rounds()));
    List<Integer> items = IntStream.range(0, n).boxed().toList();

    Throughput mp4j;
    try (Pool pool = Pool.create(processes)) {
      Warmup.awaitWorkers(pool, processes);
      mp4j = Throughput.measure(sizes, n, () -> check(pool.map(Tasks.SQUARE, items), n));
    }
    section.figure(Side.MP4J, "Pool.create(" + processes + ").map", mp4j.format("tasks/s"),
        mp4j.detail());

    Throughput python = Benchmark.python(context, section, () -> {
      var result = context.python().run("map", "--items", n, "--processes", processes,
          "--warmup", sizes.warmupRounds(), "--rounds", sizes.rounds());
      return new Throughput(n, PythonSide.doubles(result.get("rounds_s")),
          sizes.warmupRounds());
    });
    if (python != null) {
      section.figure(Side.PYTHON, "Pool(" + processes + ").map", python.format("tasks/s"),
          python.detail());
    }

    Throughput stream = Throughput.measure(sizes, n,
        () -> check(items.parallelStream().map(Tasks::square).toList(), n));
    section.figure(Side.LIMIT, "parallel stream, one JVM", stream.format("tasks/s"),
        stream.detail() + "; " + Runtime.getRuntime().availableProcessors() + " cores");

    String goal = "mp4j >= " + GOAL_RATIO + "x Python";
    if (python == null) {
      section.unmeasuredGoal(goal, "no Python figure");
    } else {
      double ratio = mp4j.perSecond() / python.perSecond();
      section.goal(goal, String.format(Locale.US, "%.2fx", ratio), ratio >= GOAL_RATIO);
    }
    return section;
  }

  private static void check(List<Long> squares, int n) {
    long last = n - 1;
    if (squares.size() != n || squares.get(n - 1) != last * last) {
      throw new IllegalStateException("map returned wrong results");
    }
  }
}
