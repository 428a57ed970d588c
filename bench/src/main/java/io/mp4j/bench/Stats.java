package io.mp4j.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Summaries of timing samples. Both the Java and the Python figures go through these, so the two
 * sides are always summarised the same way.
 */
final class Stats {
  private Stats() {}

  /** The median; for an even count, the mean of the two middle samples. */
  static double median(double[] samples) {
    requireSamples(samples.length);
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  static double median(List<Double> samples) {
    return median(samples.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** The nearest-rank percentile: the smallest sample with at least p% of samples at or below. */
  static long percentile(long[] sorted, double p) {
    requireSamples(sorted.length);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }

  static double min(double[] samples) {
    requireSamples(samples.length);
    return Arrays.stream(samples).min().orElseThrow();
  }

  static double max(double[] samples) {
    requireSamples(samples.length);
    return Arrays.stream(samples).max().orElseThrow();
  }

  private static void requireSamples(int count) {
    if (count == 0) {
      throw new IllegalArgumentException("no samples");
    }
  }
}
