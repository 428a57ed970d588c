package io.mp4j.bench;

import io.mp4j.Lock;
import io.mp4j.SharedDict;
import io.mp4j.Value;

/** What the caller processes of the Manager benchmark run. */
final class ManagerTasks {
  private ManagerTasks() {}

  /**
   * Sets then gets {@code pairs} keys, timing each operation.
   *
   * @return each operation's nanoseconds, a set then a get for each key
   */
  static long[] dictOpNanos(SharedDict<Integer, Integer> dict, int pairs) {
    long[] nanos = new long[2 * pairs];
    for (int i = 0; i < pairs; i++) {
      long before = System.nanoTime();
      dict.put(i, i);
      long between = System.nanoTime();
      dict.get(i);
      nanos[2 * i] = between - before;
      nanos[2 * i + 1] = System.nanoTime() - between;
    }
    return nanos;
  }

  /**
   * Takes and releases the lock {@code count} times, timing each operation.
   *
   * @return the nanoseconds of each acquire, then of each release, {@code count} of each
   */
  static long[] lockOpNanos(Lock lock, int count) {
    long[] nanos = new long[2 * count];
    for (int i = 0; i < count; i++) {
      long before = System.nanoTime();
      lock.lock();
      long between = System.nanoTime();
      lock.unlock();
      nanos[i] = between - before;
      nanos[count + i] = System.nanoTime() - between;
    }
    return nanos;
  }

  /**
   * {@link #dictOpNanos} of {@code count} keys after a fifth as many untimed.
   *
   * @return the timed part's start and end by {@link System#nanoTime}, one clock for every
   *     process on Linux
   */
  static long[] dictOps(SharedDict<Integer, Integer> dict, int count) {
    dictOpNanos(dict, count / 5);
    long start = System.nanoTime();
    dictOpNanos(dict, count);
    return new long[] {start, System.nanoTime()};
  }

  /** {@link #lockOpNanos} {@code count} times after a fifth as many untimed, as dictOps. */
  static long[] lockPairs(Lock lock, int count) {
    lockOpNanos(lock, count / 5);
    long start = System.nanoTime();
    lockOpNanos(lock, count);
    return new long[] {start, System.nanoTime()};
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
