package io.mp4j.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The status command's calls/s: a rate over the last window, on a clock the test drives. */
class RateMeterTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void rate_isOverTheWindowNotSinceStart() {
    RateMeter meter = new RateMeter(5 * SECOND);
    assertEquals(0, meter.perSecond(0, 0));
    long total = 0;
    for (long t = 0; t <= 20 * SECOND; t += SECOND / 4) {
      meter.sample(t, total);
      total += t < 10 * SECOND ? 1000 : 25; // 4,000/s for 10 s, then 100/s
    }
    long now = 20 * SECOND + SECOND / 4;
    assertEquals(100, meter.perSecond(now, total), 5);
  }

  @Test
  void anIdleBroker_readsZero() {
    RateMeter meter = new RateMeter(5 * SECOND);
    for (long t = 0; t <= 10 * SECOND; t += SECOND / 4) {
      meter.sample(t, 500);
    }
    assertEquals(0, meter.perSecond(10 * SECOND + 1, 500), 0.001);
  }
}
