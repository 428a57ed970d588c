package io.mp4j.bench;

import io.mp4j.Pool;
import io.mp4j.bench.Section.Side;
import io.mp4j.examples.PrimeFactors;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * The seed demo (the examples' PrimeFactors) on 1 and 2 worker processes, and on as many as the
 * machine has cores when it has more: how the same map scales with processes.
 */
final class ScalingBenchmark implements Benchmark {
  private static final int RUNS = 3;

  @Override
  public String key() {
    return "scaling";
  }

  @Override
  public String title() {
    return "Scaling: the seed demo on 1 and 2 worker processes";
  }

  @Override
  public Section run(Context context) throws Exception {
    Sizes sizes = context.sizes();
    int count = FactorBenchmark.calibratedCount(sizes);
    int cores = Runtime.getRuntime().availableProcessors();
    Set<Integer> counts = new LinkedHashSet<>(List.of(1, 2));
    if (cores > 2) {
      counts.add(cores);
    }
    Section section = new Section(key(), title(),
        String.format(Locale.US, "PrimeFactors.factors (the seed demo) on the %,d consecutive"
            + " ints from %,d (as many as make the sequential run take about %.0f s, counted as in"
            + " benchmark 4): sequentially on one thread, then through Pool.create(n).map with"
            + " default chunking for n in %s, on this machine's %d cores. Each pool is warmed"
            + " (every worker answered, then a map of the first %,d ints, then one untimed map"
            + " of all of them) and its creation is not timed; the median of %d timed runs each,"
            + " results compared with the sequential ones.", count, FactorBenchmark.FIRST,
            FactorBenchmark.SEQUENTIAL_TARGET_SECONDS, counts, cores,
            sizes.factorWarmup(), RUNS));
    List<Long> numbers = LongStream.range(FactorBenchmark.FIRST, FactorBenchmark.FIRST + count)
        .boxed().toList();
    List<Long> warm = numbers.subList(0, Math.min(count, sizes.factorWarmup()));

    warm.forEach(PrimeFactors::factors);
    List<List<Long>> sequential = null;
    double[] runs = new double[RUNS];
    for (int run = 0; run < RUNS; run++) {
      long start = System.nanoTime();
      sequential = new ArrayList<>(count);
      for (long n : numbers) {
        sequential.add(PrimeFactors.factors(n));
      }
      runs[run] = (System.nanoTime() - start) / 1e9;
    }
    double sequentialSeconds = Stats.median(runs);
    section.figure(Side.MP4J, "sequential, one thread", FactorBenchmark.rate(count, sequentialSeconds),
        String.format(Locale.US, "%.3f s", sequentialSeconds));

    double oneProcess = 0;
    for (int processes : counts) {
      try (Pool pool = Pool.create(processes)) {
        Warmup.awaitWorkers(pool, processes);
        pool.map(PrimeFactors::factors, warm);
        pool.map(PrimeFactors::factors, numbers);
        for (int run = 0; run < RUNS; run++) {
          long start = System.nanoTime();
          List<List<Long>> parallel = pool.map(PrimeFactors::factors, numbers);
          runs[run] = (System.nanoTime() - start) / 1e9;
          if (!parallel.equals(sequential)) {
            throw new IllegalStateException("the pool's factors differ from the sequential ones");
          }
        }
      }
      double seconds = Stats.median(runs);
      if (processes == 1) {
        oneProcess = seconds;
      }
      section.figure(Side.MP4J, "Pool.create(" + processes + ").map", FactorBenchmark.rate(count, seconds),
          String.format(Locale.US, "%.3f s; %.2fx sequential, %.2fx one process", seconds,
              sequentialSeconds / seconds, oneProcess / seconds));
    }
    if (cores <= 2) {
      section.note("This machine has " + cores + " cores; more processes than that would only"
          + " share them.");
    }
    return section;
  }
}
