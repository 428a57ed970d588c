package io.mp4j.bench;

import java.util.Locale;

/**
 * Timed rounds of the same amount of work: {@code operations} tasks or requests per round. The
 * headline figure is operations per second at the median round.
 */
record Throughput(long operations, double[] roundSeconds) {
  Throughput {
    if (roundSeconds.length == 0) {
      throw new IllegalArgumentException("no measured rounds");
    }
    roundSeconds = roundSeconds.clone();
  }

  /**
   * Runs the warm-up rounds untimed, then times the measured ones.
   *
   * @param sizes how many rounds of each
   * @param operations the tasks or requests in one round
   * @param round one round of work
   */
  static Throughput measure(Sizes sizes, long operations, Runnable round) {
    for (int i = 0; i < sizes.warmupRounds(); i++) {
      round.run();
    }
    double[] seconds = new double[sizes.rounds()];
    for (int i = 0; i < seconds.length; i++) {
      long start = System.nanoTime();
      round.run();
      seconds[i] = (System.nanoTime() - start) / 1e9;
    }
    return new Throughput(operations, seconds);
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

  /** The rounds behind the figure, such as {@code median of 5 rounds of 1.231 s (1.198-1.305)}. */
  String detail() {
    return String.format(Locale.US, "median of %d rounds of %,d: %.3f s (%.3f-%.3f s)",
        roundSeconds.length, operations, medianSeconds(), Stats.min(roundSeconds),
        Stats.max(roundSeconds));
  }
}
