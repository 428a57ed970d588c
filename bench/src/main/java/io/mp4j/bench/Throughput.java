package io.mp4j.bench;

import java.util.Locale;

/**
 * Timed rounds of the same amount of work: {@code operations} tasks or requests per round, after
 * {@code warmupRounds} untimed ones. The headline figure is operations per second at the median
 * round.
 */
record Throughput(long operations, double[] roundSeconds, int warmupRounds) {
  Throughput {
    if (roundSeconds.length == 0) {
      throw new IllegalArgumentException("no measured rounds");
    }
    roundSeconds = roundSeconds.clone();
  }

  /** The most warm-up rounds, as a multiple of the sizes' warm-up rounds. */
  static final int MAX_WARMUP_FACTOR = 3;

  /**
   * Runs the warm-up rounds untimed (at least the sizes' number, more until the heap and the JIT
   * compilers have settled: see {@link Warmup#untilSettled}), then times the measured ones.
   *
   * @param sizes how many rounds of each
   * @param operations the tasks or requests in one round
   * @param round one round of work
   */
  static Throughput measure(Sizes sizes, long operations, Runnable round) {
    int warmup = Warmup.untilSettled(sizes.warmupRounds(),
        sizes.warmupRounds() * MAX_WARMUP_FACTOR, Warmup.Memory.HEAP_SETTLED, round::run);
    double[] seconds = new double[sizes.rounds()];
    for (int i = 0; i < seconds.length; i++) {
      long start = System.nanoTime();
      round.run();
      seconds[i] = (System.nanoTime() - start) / 1e9;
    }
    return new Throughput(operations, seconds, warmup);
  }

  double medianSeconds() {
    return Stats.median(roundSeconds);
  }

  double perSecond() {
    return operations / medianSeconds();
  }

  /** Such as {@code 812,345 tasks/s}. */
  String format(String unit) {
    return String.format(Locale.US, "%,.0f %s", perSecond(), unit);
  }

  /**
   * The rounds behind the figure, such as
   * {@code median of 5 rounds of 1,000 after 6 warm-up: 1.231 s (1.198-1.305 s)}.
   */
  String detail() {
    return String.format(Locale.US, "median of %d rounds of %,d after %d warm-up: %.3f s"
        + " (%.3f-%.3f s)", roundSeconds.length, operations, warmupRounds, medianSeconds(),
        Stats.min(roundSeconds), Stats.max(roundSeconds));
  }
}
