package io.mp4j.bench;

import io.mp4j.Task;
import java.util.ArrayList;
import java.util.List;

/** The tasks the benchmarks send to workers; the worker JVMs find them on the bench classpath. */
public final class Tasks {
  /** The trivial task as an mp4j task. */
  static final Task<Integer, Long> SQUARE = Tasks::square;
  /** Which worker ran it, as an mp4j task. */
  static final Task<Integer, Long> PID = Tasks::pid;
  /** The seed demo's task as an mp4j task. */
  static final Task<Long, List<Long>> FACTORS = Tasks::factors;

  private Tasks() {}

  /**
   * The trivial task. The result is a long so that it matches Python's {@code x * x}, which
   * never overflows, for every item the benchmarks send.
   *
   * @param x any int
   * @return x squared
   */
  public static long square(int x) {
    return (long) x * x;
  }

  /**
   * The process id of the worker that runs it: the harness calls it until every worker answered.
   *
   * @param ignored any int
   * @return this process's pid
   */
  public static long pid(int ignored) {
    return ProcessHandle.current().pid();
  }

  /**
   * The prime factors of {@code n}, smallest first, by trial division up to its square root.
   * A copy of {@code io.mp4j.examples.PrimeFactors.factors}, so that the bench module does not
   * depend on the examples; {@code mp_bench.py} has the same function in Python.
   *
   * @param n a positive number
   * @return its prime factors with multiplicity
   */
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
}
