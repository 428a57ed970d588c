package io.mp4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2.0, Stats.median(new double[] {3, 1, 2}));
    assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}));
  }

  @Test
  void nearestRankPercentiles() {
    long[] sorted = new long[100];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = i + 1;
    }
    assertEquals(50, Stats.percentile(sorted, 50));
    assertEquals(99, Stats.percentile(sorted, 99));
    assertEquals(100, Stats.percentile(sorted, 100));
    assertEquals(1, Stats.percentile(new long[] {1}, 99));
  }

  @Test
  void latencyIsSummarisedFromUnsortedSamples() {
    Latency latency = Latency.of(new long[] {5_000, 1_000, 3_000, 2_000, 4_000});
    assertEquals(3_000, latency.p50Nanos());
    assertEquals(5_000, latency.p99Nanos());
  }

  @Test
  void interleavedLatenciesTakeTurnsInBlocksAndPoolEachKind() {
    List<String> turns = new ArrayList<>();
    Latency[] both = Latency.interleaved(6, 3, calls -> {
      turns.add("first " + calls);
      return filled(calls, 1_000L * turns.size());
    }, calls -> {
      turns.add("second " + calls);
      return filled(calls, 10_000L * turns.size());
    });
    assertEquals(List.of("first 2", "second 2", "first 2", "second 2", "first 2", "second 2"),
        turns);
    assertEquals(6, both[0].calls());
    assertEquals(3_000, both[0].p50Nanos()); // blocks of 1,000, 3,000 and 5,000 ns
    assertEquals(40_000, both[1].p50Nanos()); // blocks of 20,000, 40,000 and 60,000 ns
    assertThrows(IllegalArgumentException.class,
        () -> Latency.interleaved(7, 3, calls -> new long[calls], calls -> new long[calls]));
  }

  private static long[] filled(int calls, long nanos) {
    long[] samples = new long[calls];
    Arrays.fill(samples, nanos);
    return samples;
  }

  @Test
  void throughputUsesTheMedianRound() {
    Throughput throughput = new Throughput(1_000, new double[] {2.0, 0.5, 1.0}, 6);
    assertEquals(1_000.0, throughput.perSecond());
  }

  @Test
  void noSamplesIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> Stats.median(new double[0]));
    assertThrows(IllegalArgumentException.class, () -> new Throughput(1, new double[0], 6));
  }
}
