package io.mp4j.bench;

import io.mp4j.bench.Section.Side;
import java.util.Locale;

/**
 * Benchmark 10: what CurveZMQ costs, the same standalone broker, worker processes and connected
 * pool over TCP on loopback without an authkey (plain) and with one (authenticated and
 * encrypted).
 */
final class CurveBenchmark implements Benchmark {
  private static final String KEY = "a-long-random-cluster-key-for-the-benchmark";

  @Override
  public String key() {
    return "curve";
  }

  @Override
  public String title() {
    return "What CurveZMQ costs";
  }

  @Override
  public Section run(Benchmark.Context context) throws Exception {
    int items = context.sizes().mapItems() / 5;
    Section section = new Section(key(), title(), String.format(Locale.US,
        "A standalone broker in this JVM, %d worker processes and a connected pool over TCP on"
            + " loopback, plain and with an authkey (CurveZMQ). Apply: 2,000 warm-up calls,"
            + " then 5,000 timed sequential calls. Map: square over %,d ints with default"
            + " chunks, best of 3 after one warm-up map. Plain first, then CurveZMQ.",
        context.processes(), items));
    double[] plain = CurveCost.measure(null, context.processes(), items);
    double[] curve = CurveCost.measure(KEY, context.processes(), items);
    section.figure(Side.MP4J, "plain: apply", String.format(Locale.US, "p50 %.0f µs",
        plain[0] / 1e3), String.format(Locale.US, "p99 %.0f µs", plain[1] / 1e3));
    section.figure(Side.MP4J, "CurveZMQ: apply", String.format(Locale.US, "p50 %.0f µs",
        curve[0] / 1e3), String.format(Locale.US, "p99 %.0f µs", curve[1] / 1e3));
    section.figure(Side.MP4J, "plain: map", String.format(Locale.US, "%,.0f tasks/s",
        plain[2]), "");
    section.figure(Side.MP4J, "CurveZMQ: map", String.format(Locale.US, "%,.0f tasks/s",
        curve[2]), String.format(Locale.US, "%.2fx plain", curve[2] / plain[2]));
    section.note("A local pool (Pool.create) stays plain: its broker listens on loopback only,"
        + " for its own child processes.");
    return section;
  }
}
