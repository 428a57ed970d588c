package io.mp4j.protocol;

import java.util.concurrent.locks.LockSupport;

/**
 * Keeps an event loop from spinning when its poll keeps returning with nothing to do. JeroMQ's
 * poll can return at once, turn after turn, while a socket's wake-up descriptor holds a stale
 * signal (and it then reports a raw channel registered next to the socket as ready as well): the
 * loop would burn a core, and on a machine with few cores every other thread would wait for the
 * scheduler's next tick to run. After a few empty turns in a row the loop pauses briefly, longer
 * the longer it stays idle, up to a fifth of a millisecond. Not for users.
 */
public final class SpinGuard {
  private static final long MAX_PAUSE_NANOS = 200_000;
  private int emptyTurns;

  /** The turn did some work: the next empty turn does not pause. */
  public void worked() {
    emptyTurns = 0;
  }

  /** The turn found nothing to do; pauses when that keeps happening. */
  public void idle() {
    emptyTurns++;
    if (emptyTurns > 2) {
      LockSupport.parkNanos(Math.min(MAX_PAUSE_NANOS, 5_000L << Math.min(emptyTurns - 3, 6)));
    }
  }
}
