package io.mp4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** imap reads its input lazily: a window of chunks in flight, held back by a slow consumer. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImapMemoryTest {
  private static final int CHUNK = 10_000;
  /** The pool's window is 16 chunks for two workers; one more is being read. */
  private static final long BOUND = 17L * CHUNK;

  /** An endless-looking input that counts what was read from it. */
  private static final class CountingInput implements Iterator<Integer> {
    final AtomicLong produced = new AtomicLong();
    final long size;

    CountingInput(long size) {
      this.size = size;
    }

    @Override
    public boolean hasNext() {
      return produced.get() < size;
    }

    @Override
    public Integer next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return (int) (produced.getAndIncrement() % 1000);
    }
  }

  @Test
  void imapOverTenMillionItems_keepsAWindowOfChunksInFlight() {
    CountingInput input = new CountingInput(10_000_000);
    try (Pool pool = Pool.create(2)) {
      ResultIterator<Integer> results = pool.imap(Tasks::square, input, CHUNK);
      long consumed = 0;
      long maxAhead = 0;
      long checksum = 0;
      while (results.hasNext()) {
        checksum += results.next();
        consumed++;
        maxAhead = Math.max(maxAhead, input.produced.get() - consumed);
      }
      assertEquals(10_000_000, consumed);
      assertEquals(10_000L * 332_833_500L, checksum);
      assertTrue(maxAhead <= BOUND, "read " + maxAhead + " items ahead of the consumer");
    }
  }

  @Test
  void slowConsumer_holdsTheInputBack() {
    CountingInput input = new CountingInput(Long.MAX_VALUE);
    try (Pool pool = Pool.create(2)) {
      ResultIterator<Integer> results = pool.imapUnordered(Tasks::square, input, CHUNK);
      for (int i = 0; i < 3 * CHUNK; i++) {
        results.next();
      }
      long consumed = 3L * CHUNK;
      await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
          .until(() -> input.produced.get() - consumed <= BOUND);
    }
  }
}
