package io.mp4j.broker;

/**
 * Calls completed per second over the last few seconds, from samples of a running total taken
 * on the loop's timer. A rate over a window rather than since start, so that an operator sees
 * what the broker does now.
 */
final class RateMeter {
  private static final int SLOTS = 21;
  private final long windowNanos;
  private final long[] times = new long[SLOTS];
  private final long[] totals = new long[SLOTS];
  private int next;
  private int filled;

  RateMeter(long windowNanos) {
    this.windowNanos = windowNanos;
  }

  /** Records the total at this time; samples closer than a slot's width are skipped. */
  void sample(long now, long total) {
    int last = (next + SLOTS - 1) % SLOTS;
    if (filled > 0 && now - times[last] < windowNanos / (SLOTS - 1)) {
      return;
    }
    times[next] = now;
    totals[next] = total;
    next = (next + 1) % SLOTS;
    filled = Math.min(SLOTS, filled + 1);
  }

  /** The rate between the oldest sample in the window and the total now. */
  double perSecond(long now, long total) {
    for (int age = filled; age >= 1; age--) {
      int slot = (next + SLOTS - age) % SLOTS;
      long elapsed = now - times[slot];
      if (elapsed <= windowNanos + windowNanos / (SLOTS - 1) && elapsed > 0) {
        return (total - totals[slot]) * 1e9 / elapsed;
      }
    }
    return 0;
  }
}
