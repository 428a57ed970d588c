package io.mp4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mp4j.Pool;
import io.mp4j.Task;
import io.mp4j.bench.Section.Side;
import io.mp4j.examples.PrimeFactors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.LongStream;

/** Benchmark 4: the seed demo, prime factors by trial division, sequential against a pool. */
final class FactorBenchmark implements Benchmark {
  static final long FIRST = 1_000_000_000L;
  static final double GOAL_SPEEDUP = 1.8;
  /** The seed demo's own function; {@code mp_bench.py} has the same one in Python. */
  private static final Task<Long, List<Long>> FACTORS = PrimeFactors::factors;
  /** Timed runs of each side; the median is reported, because one run on 2 cores is noisy. */
  private static final int RUNS = 5;
  /** The "a few seconds" for the sequential run, whatever the machine's speed. */
  static final double SEQUENTIAL_TARGET_SECONDS = 4;

  /**
   * How many ints make the sequential run take about {@link #SEQUENTIAL_TARGET_SECONDS} here:
   * the sizes' count is factored once after a warm-up, timed, and scaled, rounded up to 10,000
   * and never below that count. A fixed count took 5.5 s on one machine and 1.2 s on another,
   * where the pool's fixed costs then weighed four times as much. Counted once per run, so that
   * benchmarks 4 and 8 factor the same ints.
   */
  static synchronized int calibratedCount(Sizes sizes) {
    if (calibrated == null || !calibrated.sizes().equals(sizes)) {
      calibrated = new Calibration(sizes, calibrate(sizes));
    }
    return calibrated.count();
  }

  private record Calibration(Sizes sizes, int count) {}

  private static Calibration calibrated;

  private static int calibrate(Sizes sizes) {
    int base = sizes.factorCount();
    for (long n = FIRST; n < FIRST + sizes.factorWarmup(); n++) {
      PrimeFactors.factors(n);
    }
    long start = System.nanoTime();
    for (long n = FIRST; n < FIRST + base; n++) {
      PrimeFactors.factors(n);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long scaled = (long) Math.ceil(base * SEQUENTIAL_TARGET_SECONDS / seconds / 10_000) * 10_000;
    return (int) Math.min(Integer.MAX_VALUE / 2, Math.max(base, scaled));
  }

  @Override
  public String key() {
    return "factor";
  }

  @Override
  public String title() {
    return "Seed demo: prime factors";
  }

  @Override
  public Section run(Context context) throws Exception {
    Sizes sizes = context.sizes();
    int count = calibratedCount(sizes);
    int processes = context.processes();
    int cores = Runtime.getRuntime().availableProcessors();
    Section section = new Section(key(), title(),
        String.format(Locale.US, "Prime factors by trial division of the %,d consecutive ints"
            + " from %,d, sequentially on one thread and through Pool.create(%d).map (default"
            + " chunking); results compared. The count makes the sequential run take about %.0f s"
            + " on this machine: %,d ints were factored once and timed, and the count scaled"
            + " from them. Both sides are warmed first (the JIT of every JVM): the sequential one"
            + " by that timing, after the first %,d ints; the pool, once each worker answered a"
            + " call, by one untimed map of all of them. Creating the pool is not timed. %d"
            + " pairs of timed runs, each a sequential run then a parallel one; the median of"
            + " each side and of the pairs' speedups. Python does the same on %,d ints (it is much"
            + " slower), warmed on %,d. The limits: the CPU time this JVM and the worker JVMs"
            + " used in each parallel run (read from the system, in its clock ticks), and their"
            + " share of the cores' time: the pool cannot go faster than the cores its workers"
            + " get.",
            count, FIRST, processes, SEQUENTIAL_TARGET_SECONDS, sizes.factorCount(),
            sizes.factorWarmup(), RUNS, sizes.pythonFactorCount(), sizes.pythonFactorWarmup()));
    List<Long> numbers = LongStream.range(FIRST, FIRST + count).boxed().toList();
    List<Long> warm = numbers.subList(0, Math.min(count, sizes.factorWarmup()));

    warm.forEach(PrimeFactors::factors);
    List<List<Long>> sequential;
    double[] sequentialRuns = new double[RUNS];
    double[] parallelRuns = new double[RUNS];
    double[] speedups = new double[RUNS];
    double[] clientCpu = new double[RUNS];
    double[] workersCpu = new double[RUNS];
    try (Pool pool = Pool.create(processes)) {
      Warmup.awaitWorkers(pool, processes);
      Set<Long> workers = CpuTime.descendantPids();
      pool.map(FACTORS, warm);
      // The client's half of a map (encoding, decoding) runs interpreted at first; a short
      // warm-up left it compiling during the timed runs.
      pool.map(FACTORS, numbers);
      // Each parallel run right after a sequential one: this machine's speed drifts over the
      // half minute of runs, and a speedup from runs far apart measured the drift too.
      for (int run = 0; run < RUNS; run++) {
        long start = System.nanoTime();
        sequential = sequential(numbers);
        sequentialRuns[run] = (System.nanoTime() - start) / 1e9;
        long clientBefore = CpuTime.thisJvmNanos();
        long workersBefore = CpuTime.descendantsNanos(workers::contains);
        start = System.nanoTime();
        List<List<Long>> parallel = pool.map(FACTORS, numbers);
        parallelRuns[run] = (System.nanoTime() - start) / 1e9;
        clientCpu[run] = (CpuTime.thisJvmNanos() - clientBefore) / 1e9;
        workersCpu[run] = (CpuTime.descendantsNanos(workers::contains) - workersBefore) / 1e9;
        if (!parallel.equals(sequential)) {
          throw new IllegalStateException("the pool's factors differ from the sequential ones");
        }
        speedups[run] = sequentialRuns[run] / parallelRuns[run];
      }
    }
    double sequentialSeconds = Stats.median(sequentialRuns);
    double parallelSeconds = Stats.median(parallelRuns);
    double speedup = Stats.median(speedups);
    section.figure(Side.MP4J, "sequential, one thread", rate(count, sequentialSeconds),
        seconds(count, sequentialSeconds) + " (median of " + RUNS + ")");
    section.figure(Side.MP4J, "Pool.create(" + processes + ").map", rate(count, parallelSeconds),
        seconds(count, parallelSeconds) + " (median of " + RUNS + ")");
    section.figure(Side.MP4J, "speedup", String.format(Locale.US, "%.2fx", speedup),
        String.format(Locale.US, "median of the %d pairs' speedups (%.2fx-%.2fx)", RUNS,
            Stats.min(speedups), Stats.max(speedups)));
    double[] clientShares = new double[RUNS];
    double[] workersShares = new double[RUNS];
    for (int run = 0; run < RUNS; run++) {
      clientShares[run] = clientCpu[run] / (cores * parallelRuns[run]);
      workersShares[run] = workersCpu[run] / (cores * parallelRuns[run]);
    }
    section.figure(Side.LIMIT, "CPU of this JVM in a parallel run", cpu(clientCpu,
        clientShares), "median of " + RUNS + " (range): the client and its embedded broker,"
            + " encoding the chunks, decoding every result, and its collector");
    section.figure(Side.LIMIT, "CPU of the " + processes + " worker JVMs in a parallel run",
        cpu(workersCpu, workersShares), "median of " + RUNS + " (range), all workers together");
    section.note(String.format(Locale.US, "The workers' CPU in a parallel run was %.2fx the"
        + " sequential run's time, so the work cost them no more than one thread. Of the %d"
        + " cores' time in a parallel run (medians) the workers had %.0f%% and this JVM %.0f%%;"
        + " the rest, %.0f%%, went to other processes or was idle.",
        Stats.median(workersCpu) / sequentialSeconds, cores,
        100 * Stats.median(workersShares), 100 * Stats.median(clientShares),
        100 * (1 - Stats.median(workersShares) - Stats.median(clientShares))));

    JsonNode python = Benchmark.python(context, section, () -> context.python().run("factor",
        "--count", sizes.pythonFactorCount(), "--warm", sizes.pythonFactorWarmup(),
        "--processes", processes));
    if (python != null) {
      int pythonCount = python.get("count").asInt();
      double pythonSequential = python.get("sequential_s").asDouble();
      double pythonParallel = python.get("parallel_s").asDouble();
      section.figure(Side.PYTHON, "sequential", rate(pythonCount, pythonSequential),
          seconds(pythonCount, pythonSequential));
      section.figure(Side.PYTHON, "Pool(" + processes + ").map", rate(pythonCount, pythonParallel),
          seconds(pythonCount, pythonParallel));
      section.figure(Side.PYTHON, "speedup",
          String.format(Locale.US, "%.2fx", pythonSequential / pythonParallel), "");
    }

    section.goal("mp4j speedup >= " + GOAL_SPEEDUP + "x",
        String.format(Locale.US, "%.2fx", speedup), speedup >= GOAL_SPEEDUP);
    return section;
  }

  private static List<List<Long>> sequential(List<Long> numbers) {
    List<List<Long>> factors = new ArrayList<>(numbers.size());
    for (long n : numbers) {
      factors.add(PrimeFactors.factors(n));
    }
    return factors;
  }

  /** CPU seconds and their share of the cores' time: medians, with the ranges. */
  private static String cpu(double[] seconds, double[] shares) {
    return String.format(Locale.US, "%.3f s (%.3f-%.3f s), %.0f%% of the cores (%.0f-%.0f%%)",
        Stats.median(seconds), Stats.min(seconds), Stats.max(seconds),
        100 * Stats.median(shares), 100 * Stats.min(shares), 100 * Stats.max(shares));
  }

  static String rate(int count, double seconds) {
    return String.format(Locale.US, "%,.0f ints/s", count / seconds);
  }

  private static String seconds(int count, double seconds) {
    return String.format(Locale.US, "%,d ints in %.3f s", count, seconds);
  }
}
