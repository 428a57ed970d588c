package io.mp4j.examples;

import io.mp4j.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The seed demo: prime factorization by trial division of consecutive integers from
 * 1,000,000,000, first sequentially and then through a local pool, with both times and the
 * speedup.
 *
 * <p>Arguments: {@code [count] [processes]}; by default 500,000 integers (a few seconds
 * sequentially) on one process per core, or on the workers of the broker named by {@code
 * MP4J_BROKER}. Both runs are timed after a short warm-up, and the pool's start is timed apart.
 * With a local pool it also prints the CPU time its worker processes and this JVM used in the
 * parallel run: on n cores the run cannot take less than their sum over n.
 */
public final class PrimeFactors {
  private PrimeFactors() {}

  /** The prime factors of {@code n}, smallest first, by trial division up to its square root. */
  public static List<Long> factors(long n) {
    List<Long> factors = new ArrayList<>();
    while (n % 2 == 0) {
      factors.add(2L);
      n /= 2;
    }
    for (long d = 3; d * d <= n; d += 2) {
      while (n % d == 0) {
        factors.add(d);
        n /= d;
      }
    }
    if (n > 1) {
      factors.add(n);
    }
    return factors;
  }

  /**
   * Runs the demo.
   *
   * @param args optional count of integers and number of worker processes
   */
  public static void main(String[] args) {
    int count = args.length > 0 ? positive(args[0], "count") : 500_000;
    // Without a count of processes, Pool.create() picks one per core, or the broker named by
    // MP4J_BROKER, so the same demo runs on a cluster.
    Integer processes = args.length > 1 ? positive(args[1], "processes") : null;
    long first = 1_000_000_000L;
    List<Long> numbers = LongStream.range(first, first + count).boxed().toList();
    // Both sides run a short warm-up first, so that the times compare compiled code.
    List<Long> warmUp = numbers.subList(0, Math.min(count, 50_000));

    warmUp.forEach(PrimeFactors::factors);
    long start = System.nanoTime();
    List<List<Long>> sequential = new ArrayList<>(count);
    for (long n : numbers) {
      sequential.add(factors(n));
    }
    double sequentialSeconds = (System.nanoTime() - start) / 1e9;

    start = System.nanoTime();
    try (Pool pool = processes == null ? Pool.create() : Pool.create(processes)) {
      pool.map(PrimeFactors::factors, warmUp);
      double startSeconds = (System.nanoTime() - start) / 1e9;
      Map<Long, Duration> childrenBefore = childrenCpu();
      Duration thisJvmBefore = cpu(ProcessHandle.current());
      start = System.nanoTime();
      List<List<Long>> parallel = pool.map(PrimeFactors::factors, numbers);
      double parallelSeconds = (System.nanoTime() - start) / 1e9;
      double thisJvmSeconds = seconds(cpu(ProcessHandle.current()).minus(thisJvmBefore));
      double childrenSeconds = 0;
      for (Map.Entry<Long, Duration> child : childrenCpu().entrySet()) {
        childrenSeconds += seconds(child.getValue()
            .minus(childrenBefore.getOrDefault(child.getKey(), Duration.ZERO)));
      }
      if (!parallel.equals(sequential)) {
        throw new IllegalStateException("the pool's results differ from the sequential ones");
      }
      int last = count - 1;
      System.out.printf("factored %,d integers from %,d; the last: %,d = %s%n", count, first,
          numbers.get(last), sequential.get(last));
      System.out.printf("pool start and warm-up: %.3f s%n", startSeconds);
      System.out.printf("sequential: %.3f s%n", sequentialSeconds);
      System.out.printf("parallel:   %.3f s on %d worker processes%n", parallelSeconds,
          pool.processes());
      // The pool cannot beat the cores: what its processes and this JVM spent bounds it.
      if (childrenSeconds > 0) {
        System.out.printf("cpu time:   %.3f s in the worker processes, %.3f s in this JVM%n",
            childrenSeconds, thisJvmSeconds);
      }
      System.out.printf("speedup:    %.2fx%n", sequentialSeconds / parallelSeconds);
    }
  }

  /** The CPU time used so far by each process this JVM started (a local pool's workers). */
  private static Map<Long, Duration> childrenCpu() {
    Map<Long, Duration> used = new HashMap<>();
    ProcessHandle.current().children().forEach(child -> used.put(child.pid(), cpu(child)));
    return used;
  }

  private static Duration cpu(ProcessHandle process) {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  private static int positive(String argument, String what) {
    try {
      int value = Integer.parseInt(argument.replace("_", "").replace(",", ""));
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // Reported below with the usage.
    }
    System.err.println("usage: primes [count] [processes]; the " + what
        + " must be a positive whole number, not \"" + argument + "\"");
    System.exit(2);
    throw new AssertionError("exit returned");
  }
}
