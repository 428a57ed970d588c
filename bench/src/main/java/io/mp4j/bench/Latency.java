package io.mp4j.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntFunction;

/** Percentiles and the mean of sequential round-trip times, in nanoseconds. */
record Latency(int calls, long p50Nanos, long p99Nanos, double meanNanos) {
  static Latency of(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Latency(sorted.length, Stats.percentile(sorted, 50), Stats.percentile(sorted, 99),
        Arrays.stream(sorted).average().orElse(Double.NaN));
  }

  /** Calls per second, one after another, at the mean time of one. */
  double perSecond() {
    return 1e9 / meanNanos;
  }

  /**
   * Times two kinds of round trip in alternating blocks, {@code calls} of each in all: this
   * machine's speed drifts over a benchmark's minutes, and two runs timed one after the other
   * compared the drift as well as the two kinds. The first calls of a block follow the other
   * kind's turn, as a call follows a pause in a program; they count in the p99.
   *
   * @param blocks how many blocks of each kind; {@code calls} is a multiple of it
   * @param first times the given number of calls of the first kind, returning each call's
   *     nanoseconds
   * @param second the same for the second kind
   * @return the two kinds' latencies, first then second
   */
  static Latency[] interleaved(int calls, int blocks, IntFunction<long[]> first,
      IntFunction<long[]> second) {
    if (blocks <= 0 || calls % blocks != 0) {
      throw new IllegalArgumentException(calls + " calls do not split into " + blocks
          + " blocks");
    }
    int block = calls / blocks;
    long[] firstNanos = new long[block * blocks];
    long[] secondNanos = new long[block * blocks];
    for (int i = 0; i < blocks; i++) {
      System.arraycopy(first.apply(block), 0, firstNanos, i * block, block);
      System.arraycopy(second.apply(block), 0, secondNanos, i * block, block);
    }
    return new Latency[] {of(firstNanos), of(secondNanos)};
  }

  /** Such as {@code p50 85.2 µs, p99 210.0 µs}. */
  String format() {
    return String.format(Locale.US, "p50 %s, p99 %s", micros(p50Nanos), micros(p99Nanos));
  }

  String detail() {
    return String.format(Locale.US, "%,d sequential calls", calls);
  }

  static String micros(long nanos) {
    return String.format(Locale.US, "%,.1f µs", nanos / 1e3);
  }
}
