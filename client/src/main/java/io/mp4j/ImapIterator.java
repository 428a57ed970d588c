package io.mp4j;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Results of imap and imapUnordered. The consuming thread reads the input and submits batches,
 * keeping at most {@code window} batches submitted and not yet consumed; the results thread fills
 * in results. Ordered iteration yields a batch's results once the batch is complete, in input
 * order; unordered iteration yields whole batches in completion order.
 */
final class ImapIterator<R> implements ResultIterator<R> {
  /** One submitted batch's results. */
  private static final class Chunk {
    final int index;
    final Object[] values;
    final Mp4jException[] errors;
    final boolean[] filled;
    int remaining;
    int next;

    Chunk(int index, int size) {
      this.index = index;
      this.values = new Object[size];
      this.errors = new Mp4jException[size];
      this.filled = new boolean[size];
      this.remaining = size;
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Iterator<?> input;
  private final TaskFunction function;
  private final int chunkSize;
  private final int window;
  private final boolean ordered;
  private final Consumer<Batch> submitter;
  private final Map<Integer, Chunk> submitted = new HashMap<>();
  private final ArrayDeque<Chunk> completed = new ArrayDeque<>();
  private Chunk current;
  private int nextChunkToSubmit;
  private int nextChunkToYield;
  private boolean inputDone;

  ImapIterator(Iterator<?> input, TaskFunction function, int chunkSize, int window,
      boolean ordered, Consumer<Batch> submitter) {
    this.input = input;
    this.function = function;
    this.chunkSize = chunkSize;
    this.window = window;
    this.ordered = ordered;
    this.submitter = submitter;
    fill();
  }

  /** Submits batches until the window is full or the input ends; consumer thread only. */
  private void fill() {
    while (!inputDone) {
      lock.lock();
      try {
        if (submitted.size() + completed.size() >= window) {
          return;
        }
      } finally {
        lock.unlock();
      }
      List<Object> items = new ArrayList<>(Math.min(chunkSize, 1024));
      while (items.size() < chunkSize && input.hasNext()) {
        items.add(input.next());
      }
      if (!input.hasNext()) {
        inputDone = true;
      }
      if (items.isEmpty()) {
        return;
      }
      Chunk chunk = new Chunk(nextChunkToSubmit++, items.size());
      lock.lock();
      try {
        submitted.put(chunk.index, chunk);
      } finally {
        lock.unlock();
      }
      try {
        submitter.accept(new Batch(function, items, (offset, values, errors) ->
            completed(chunk, offset, values, errors)));
      } catch (RuntimeException e) {
        lock.lock();
        try {
          submitted.remove(chunk.index);
        } finally {
          lock.unlock();
        }
        throw e;
      }
    }
  }

  private void completed(Chunk chunk, int offset, Object[] values, Mp4jException[] errors) {
    lock.lock();
    try {
      for (int i = 0; i < values.length; i++) {
        int at = offset + i;
        if (at >= chunk.filled.length || chunk.filled[at]) {
          continue;
        }
        chunk.filled[at] = true;
        chunk.values[at] = values[i];
        chunk.errors[at] = errors == null ? null : errors[i];
        chunk.remaining--;
      }
      if (chunk.remaining == 0 && submitted.remove(chunk.index) != null) {
        completed.add(chunk);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean hasNext() {
    // The consuming thread alone touches current, so a batch in hand needs no lock.
    if (current != null && current.next < current.values.length) {
      return true;
    }
    lock.lock();
    try {
      if (!completed.isEmpty() || !submitted.isEmpty()) {
        return true;
      }
    } finally {
      lock.unlock();
    }
    fill();
    lock.lock();
    try {
      return !submitted.isEmpty() || !completed.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public R next() {
    try {
      return next(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("unreachable: waited without a deadline", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Mp4jException("interrupted while waiting for a result", e);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public R next(long timeout, TimeUnit unit) throws TimeoutException, InterruptedException {
    if (current == null || current.next >= current.values.length) {
      current = null;
      if (!hasNext()) {
        throw new NoSuchElementException("no more results");
      }
      current = awaitChunk(timeout, unit);
      fill();
    }
    int at = current.next++;
    Mp4jException error = current.errors[at];
    Object value = current.values[at];
    current.values[at] = null;
    if (error != null) {
      throw error;
    }
    return (R) value;
  }

  /** Waits for the next batch to yield. */
  private Chunk awaitChunk(long timeout, TimeUnit unit)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + Math.min(unit.toNanos(timeout), Long.MAX_VALUE / 4);
    lock.lock();
    try {
      while (true) {
        Chunk ready = takeReady();
        if (ready != null) {
          return ready;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("no result within " + timeout + " " + unit);
        }
        changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The next batch to yield, or null when it has not arrived; holds the lock. */
  private Chunk takeReady() {
    if (!ordered) {
      return completed.poll();
    }
    for (Iterator<Chunk> it = completed.iterator(); it.hasNext(); ) {
      Chunk chunk = it.next();
      if (chunk.index == nextChunkToYield) {
        it.remove();
        nextChunkToYield++;
        return chunk;
      }
    }
    return null;
  }
}
