package io.mp4j.bench;

import io.mp4j.Lock;
import io.mp4j.SharedDict;
import io.mp4j.Value;
import java.util.Arrays;

/** What the caller processes of the Manager benchmark run. */
final class ManagerTasks {
  private ManagerTasks() {}

  /**
   * Sets then gets {@code count} keys after a fifth as many untimed, timing each operation.
   *
   * @return {operations per second, p50 of one operation in nanoseconds, and the timed part's
   *     start and end by {@link System#nanoTime}, one clock for every process on Linux}
   */
  static double[] dictOps(SharedDict<Integer, Integer> dict, int count) {
    for (int i = 0; i < count / 5; i++) {
      dict.put(i, i);
      dict.get(i);
    }
    long[] nanos = new long[2 * count];
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long before = System.nanoTime();
      dict.put(i, i);
      long between = System.nanoTime();
      dict.get(i);
      long after = System.nanoTime();
      nanos[2 * i] = between - before;
      nanos[2 * i + 1] = after - between;
    }
    long end = System.nanoTime();
    Arrays.sort(nanos);
    return new double[] {2 * count / ((end - start) / 1e9), nanos[nanos.length / 2], start, end};
  }

  /**
   * Takes and releases the lock {@code count} times after a fifth as many untimed.
   *
   * @return {pairs per second, p50 of one pair in nanoseconds, the timed part's start and end}
   */
  static double[] lockPairs(Lock lock, int count) {
    for (int i = 0; i < count / 5; i++) {
      lock.lock();
      lock.unlock();
    }
    long[] nanos = new long[count];
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long before = System.nanoTime();
      lock.lock();
      lock.unlock();
      nanos[i] = System.nanoTime() - before;
    }
    long end = System.nanoTime();
    Arrays.sort(nanos);
    return new double[] {count / ((end - start) / 1e9), nanos[nanos.length / 2], start, end};
  }

  /** Adds one to the value {@code count} times, each under its lock. */
  static Integer increment(Value<Integer> value, int count) {
    Lock lock = value.getLock();
    for (int i = 0; i < count; i++) {
      lock.lock();
      try {
        value.set(value.get() + 1);
      } finally {
        lock.unlock();
      }
    }
    return count;
  }
}
