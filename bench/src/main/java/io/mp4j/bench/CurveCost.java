package io.mp4j.bench;

import io.mp4j.Pool;
import io.mp4j.broker.Broker;
import io.mp4j.broker.BrokerConfig;
import io.mp4j.worker.WorkerSupervisor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What CurveZMQ costs: the same standalone broker, worker processes and connected pool over TCP
 * on loopback, without an authkey (plain) and with one (authenticated and encrypted). Prints the
 * apply round trip (p50, p99) and the throughput of a map of trivial tasks with default chunks.
 *
 * <p>Usage: {@code java -cp mp4j-bench.jar io.mp4j.bench.CurveCost [processes] [mapItems]}.
 */
public final class CurveCost {
  private CurveCost() {}

  /** Runs the measurement; see the class comment. */
  public static void main(String[] args) {
    int processes = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int items = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    System.out.printf(Locale.US, "%-10s %12s %12s %16s%n", "transport", "apply p50", "apply p99",
        "map tasks/s");
    for (int round = 0; round < 2; round++) {
      for (String key : new String[] {null, "a-long-random-cluster-key-for-the-benchmark"}) {
        double[] result = measure(key, processes, items);
        System.out.printf(Locale.US, "%-10s %9.0f µs %9.0f µs %16.0f%n",
            key == null ? "plain" : "CurveZMQ", result[0] / 1e3, result[1] / 1e3, result[2]);
      }
    }
  }

  /**
   * Measures one transport.
   *
   * @param key the authkey, or null for a plain broker
   * @return {apply p50 ns, apply p99 ns, best map tasks/s}
   */
  static double[] measure(String key, int processes, int items) {
    byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    try (Broker broker = Broker.start(new BrokerConfig().authkey(keyBytes));
        WorkerSupervisor workers = new WorkerSupervisor(broker.endpoint(), keyBytes, "bench",
            0, List.of(), false, List.of(), null)) {
      workers.start(processes);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (broker.stats(Duration.ofSeconds(5)).workers() < processes) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the workers did not join within 60 s");
        }
        Thread.onSpinWait();
      }
      try (Pool pool = Pool.connect(broker.endpoint(), key)) {
        for (int i = 0; i < 2000; i++) {
          pool.apply(Tasks.SQUARE, i);
        }
        long[] nanos = new long[5000];
        for (int i = 0; i < nanos.length; i++) {
          long start = System.nanoTime();
          pool.apply(Tasks.SQUARE, i);
          nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        List<Integer> input = new ArrayList<>(items);
        for (int i = 0; i < items; i++) {
          input.add(i);
        }
        pool.map(Tasks.SQUARE, input);
        double best = 0;
        for (int run = 0; run < 3; run++) {
          long start = System.nanoTime();
          pool.map(Tasks.SQUARE, input);
          best = Math.max(best, items / ((System.nanoTime() - start) / 1e9));
        }
        return new double[] {nanos[nanos.length / 2], nanos[(int) (nanos.length * 0.99)],
            best};
      }
    }
  }
}
