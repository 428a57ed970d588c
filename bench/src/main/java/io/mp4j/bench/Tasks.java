package io.mp4j.bench;

import io.mp4j.Task;

/** The tasks the benchmarks send to workers; the worker JVMs find them on the bench classpath. */
public final class Tasks {
  /** The trivial task as an mp4j task. */
  static final Task<Integer, Long> SQUARE = Tasks::square;
  /** Which worker ran it, as an mp4j task. */
  static final Task<Integer, Long> PID = Tasks::pid;

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
}
