package io.mp4j.bench;

import java.util.Arrays;
import java.util.Locale;

/** Percentiles of sequential round-trip times, in nanoseconds. */
record Latency(int calls, long p50Nanos, long p99Nanos) {
  static Latency of(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Latency(sorted.length, Stats.percentile(sorted, 50), Stats.percentile(sorted, 99));
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
