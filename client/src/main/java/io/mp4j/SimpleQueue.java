package io.mp4j;

import io.mp4j.protocol.codec.SharedHandle;
import java.util.Objects;

/**
 * The plainest shared queue: Python's {@code multiprocessing.SimpleQueue}, with put, get, empty
 * and close only. Held by the broker like a {@link Queue}, and passed to tasks the same way.
 *
 * @param <E> the item type
 */
public final class SimpleQueue<E> implements SharedHandle {
  private final Queue<E> queue;

  SimpleQueue(Queue<E> queue) {
    this.queue = Objects.requireNonNull(queue, "queue");
  }

  /**
   * Adds an item.
   *
   * @param item the item, not null
   * @throws InterruptedException when interrupted while the broker answers
   * @throws EncodingException when the item cannot be encoded
   * @throws IllegalStateException when this handle was closed
   */
  public void put(E item) throws InterruptedException {
    queue.put(item);
  }

  /**
   * Takes the next item, waiting in the broker until there is one.
   *
   * @return the item
   * @throws InterruptedException when interrupted while waiting; no item was taken
   */
  public E get() throws InterruptedException {
    return queue.take();
  }

  /**
   * Whether the queue is empty now: Python's {@code empty()}.
   *
   * @return true when a get would have to wait
   */
  public boolean isEmpty() {
    return queue.isEmpty();
  }

  /** Puts no more items through this handle; the queue stays for the others. Idempotent. */
  public void close() {
    queue.close();
  }

  @Override
  public Ref ref() {
    Ref ref = queue.ref();
    return new Ref(KIND, ref.name(), ref.broker(), ref.settings());
  }

  static final String KIND = "simple-queue";
}
