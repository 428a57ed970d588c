package io.mp4j.protocol;

import java.util.concurrent.locks.LockSupport;

/**
 * Keeps an event loop from spinning when its poll keeps returning with nothing to do. JeroMQ's
 * poll can return at once, turn after turn, while a socket's wake-up descriptor holds a stale
 * signal (and it then reports a raw channel registered next to the socket as ready as well): the
 * loop would burn a core, and on a machine with few cores every other thread would wait for the
 * scheduler's next tick to run. After some empty turns in a row (a few hundred microseconds, in
 * which a reply on its way arrives at full speed) the loop pauses briefly, longer the longer it
 * stays idle, up to a tenth of a millisecond. Not for users.
 */
public final class SpinGuard {
  /** Empty turns that run at full speed: a reply on its way arrives within them. */
  private static final int FREE_TURNS = 16;
  private static final long MAX_PAUSE_NANOS = 100_000;
  private int emptyTurns;

  /** The turn did some work: the next empty turn does not pause. */
  public void worked() {
    emptyTurns = 0;
  }

  /** The turn found nothing to do; pauses when that keeps happening. */
  public void idle() {
    emptyTurns++;
    if (emptyTurns > FREE_TURNS) {
      LockSupport.parkNanos(Math.min(MAX_PAUSE_NANOS,
          10_000L << Math.min(emptyTurns - FREE_TURNS - 1, 4)));
    }
  }
}
