package io.mp4j.protocol;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands items from any thread to the one thread that owns an event loop, and wakes that loop.
 *
 * <p>ZeroMQ sockets belong to one thread, so other threads never touch them: they post here, and
 * the loop registers {@link #channel()} with its poller next to its sockets. A post writes one byte
 * to a pipe only when the loop has not been woken since it last drained, so a burst of posts costs
 * one wake-up. Not for users.
 *
 * @param <T> the items handed over
 */
public final class Mailbox<T> implements Closeable {
  private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean signalled = new AtomicBoolean();
  private final ByteBuffer drain = ByteBuffer.allocate(64);
  private final ByteBuffer one = ByteBuffer.allocate(1);
  private final Pipe pipe;

  /** Opens the pipe that carries the wake-ups. */
  public Mailbox() {
    try {
      pipe = Pipe.open();
      pipe.source().configureBlocking(false);
      pipe.sink().configureBlocking(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a wake-up pipe", e);
    }
  }

  /** Adds an item and wakes the loop; callable from any thread. */
  public void post(T item) {
    items.add(item);
    wake();
  }

  /**
   * Adds an item without waking the loop: for a thread that runs the loop itself next, or wakes
   * it otherwise.
   */
  public void postQuietly(T item) {
    items.add(item);
  }

  /** Wakes the loop without an item, so that it looks again at what it waits for. */
  public void wake() {
    if (signalled.compareAndSet(false, true)) {
      synchronized (one) {
        // NIO closes a channel written by an interrupted thread: the interrupt is kept for the
        // poster's own waits instead, and the pipe stays open for everyone else's posts.
        boolean interrupted = Thread.interrupted();
        try {
          one.clear();
          pipe.sink().write(one);
        } catch (IOException e) {
          // The loop has closed the mailbox; there is nobody left to wake.
        } finally {
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
      }
    }
  }

  /** The channel to register with the loop's poller for reading. */
  public SelectableChannel channel() {
    return pipe.source();
  }

  /**
   * Clears the wake-up; call before taking items so that no post is missed. The loop's thread only (one at a time).
   *
   * <p>The pipe is drained before the flag is lowered: lowered first, a post in between would
   * raise it and write a byte that the drain then swallows, leaving the flag up and the pipe
   * empty, and no later post would wake the loop again.
   */
  public void clearSignal() {
    try {
      // A short read emptied the pipe: reading on until it is empty cost a second system call
      // on every wake-up.
      do {
        drain.clear();
      } while (pipe.source().read(drain) == drain.capacity());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    signalled.set(false);
  }

  /** Whether no item is waiting; callable from any thread. */
  public boolean isEmpty() {
    return items.isEmpty();
  }

  /** The next item, or null when there is none. The loop's thread only (one at a time). */
  public T poll() {
    return items.poll();
  }

  @Override
  public void close() {
    try {
      pipe.sink().close();
      pipe.source().close();
    } catch (IOException e) {
      // Closing a pipe that is already broken leaves nothing to release.
    }
  }
}
