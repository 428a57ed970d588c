package io.mp4j.protocol;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.zeromq.ZMQ;

/**
 * Waits until one of an event loop's ZeroMQ sockets has a message or one of its channels has
 * bytes, and says which. Not for users.
 *
 * <p>It stands in for {@code ZMQ.Poller}, which has two faults that make a loop spin. JeroMQ wakes
 * a socket's owner by writing a byte to the socket's pipe and only then counting it, so the thread
 * it wakes, which often takes over the writer's core at once, sees the byte before the count: the
 * socket reports nothing to read, its descriptor stays readable, and the poll returns at once,
 * turn after turn, until the scheduler gives the writer back its core. And {@code ZMQ.Poller}
 * reports a plain channel from its selection key's ready set, which nothing clears, so once it has
 * been ready it is reported ready whenever anything else wakes the poll. Here a plain channel is
 * ready only when the selector selected it in this call, and a socket whose descriptor woke the
 * poll with nothing to read makes the loop yield its core, which lets the writer finish.
 *
 * <p>mp4j-protocol replaces JeroMQ's {@code zmq.Signaler} with one that counts first, which ends
 * the first fault for every thread, JeroMQ's own I/O threads included; the yield stays for a class
 * path that puts jeromq first, which the first poller warns of (as it does when JeroMQ's own
 * {@code zmq.poll.Poller}, also replaced, was loaded).
 */
public final class EventPoller implements Closeable {
  static {
    warnUnlessSignalerReplaced();
  }

  /** Turns with a woken but empty socket that only yield; after them each one pauses. */
  private static final int YIELDS = 64;
  private static final long PAUSE_NANOS = 50_000;

  private final Selector selector;
  private final List<ZMQ.Socket> sockets = new ArrayList<>();
  private final List<SelectionKey> keys = new ArrayList<>();
  private boolean[] ready = new boolean[0];
  /**
   * Which keys this selection chose, filled by {@link #markSelected}: selecting with an action
   * instead of the selected-key set saves the set's entry that every wake-up allocated.
   */
  private boolean[] selectedNow = new boolean[0];
  private final Consumer<SelectionKey> markSelected =
      key -> selectedNow[(Integer) key.attachment()] = true;

  private static void warnUnlessSignalerReplaced() {
    CodeSource ours = EventPoller.class.getProtectionDomain().getCodeSource();
    for (String replaced : new String[] {"zmq.Signaler", "zmq.poll.Poller"}) {
      CodeSource loaded;
      try {
        loaded = Class.forName(replaced, false, EventPoller.class.getClassLoader())
            .getProtectionDomain().getCodeSource();
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("JeroMQ is not on the class path", e);
      }
      if (ours != null && loaded != null
          && !Objects.equals(ours.getLocation(), loaded.getLocation())) {
        // Got here only: the first System.Logger of a JVM starts java.util.logging, which cost
        // a worker JVM about 15 ms of its start-up.
        System.getLogger("io.mp4j.protocol").log(Level.WARNING, "{0} was loaded from {1},"
            + " not from mp4j-protocol ({2}): put mp4j-protocol before jeromq on the class path,"
            + " or the threads of JeroMQ spin after each wake-up on a busy machine and make"
            + " three more system calls for each message they send",
            replaced, loaded.getLocation(), ours.getLocation());
        return;
      }
    }
  }

  /** Opens the selector. */
  public EventPoller() {
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector", e);
    }
  }

  /** Watches a socket for messages to read; returns its index. */
  public int add(ZMQ.Socket socket) {
    return add(socket, socket.getFD());
  }

  /** Watches a channel for bytes to read; returns its index. */
  public int add(SelectableChannel channel) {
    return add(null, channel);
  }

  /** Watches a new socket in the place of the one at {@code index}, which is no longer watched. */
  public void replace(int index, ZMQ.Socket socket) {
    keys.get(index).cancel();
    sockets.set(index, socket);
    keys.set(index, register(socket.getFD(), index));
  }

  private int add(ZMQ.Socket socket, SelectableChannel channel) {
    int index = keys.size();
    sockets.add(socket);
    keys.add(register(channel, index));
    ready = new boolean[keys.size()];
    selectedNow = new boolean[keys.size()];
    return index;
  }

  private SelectionKey register(SelectableChannel channel, int index) {
    try {
      channel.configureBlocking(false);
      // A cancelled key stays registered until the next selection: flush it first, or a socket
      // replaced on the same descriptor could not register again.
      selector.selectNow(key -> { });
      return channel.register(selector, SelectionKey.OP_READ, index);
    } catch (ClosedChannelException e) {
      throw new IllegalStateException("the channel to watch is closed", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until something is ready or the time is up; a socket that already holds a message
   * makes it return at once.
   *
   * @return whether anything is ready
   */
  public boolean poll(long timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    int emptyWakeUps = 0;
    try {
      boolean any = socketsReadable();
      select(any ? 0 : timeoutMillis);
      while (true) {
        boolean wokenEmpty = false;
        for (int i = 0; i < keys.size(); i++) {
          if (sockets.get(i) == null) {
            ready[i] = selectedNow[i];
            any |= ready[i];
          } else if (!ready[i] && selectedNow[i]) {
            ready[i] = (sockets.get(i).getEvents() & ZMQ.Poller.POLLIN) != 0;
            any |= ready[i];
            wokenEmpty |= !ready[i];
          }
        }
        long left = deadline - System.nanoTime();
        if (any || left <= 0) {
          return any;
        }
        if (wokenEmpty) {
          if (++emptyWakeUps <= YIELDS) {
            Thread.yield();
          } else {
            LockSupport.parkNanos(Math.min(PAUSE_NANOS, left));
          }
        }
        any = socketsReadable();
        select(any ? 0 : (left + 999_999) / 1_000_000);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Selects, waiting up to the time given (0: not at all); fills {@link #selectedNow}. */
  private void select(long timeoutMillis) throws IOException {
    Arrays.fill(selectedNow, false);
    if (timeoutMillis <= 0) {
      selector.selectNow(markSelected);
    } else {
      selector.select(markSelected, timeoutMillis);
    }
  }

  /**
   * Asks every socket first: a message that arrived while the loop was sending on the same socket
   * leaves no wake-up byte, and a selection would sleep through it.
   */
  private boolean socketsReadable() {
    boolean any = false;
    for (int i = 0; i < keys.size(); i++) {
      ZMQ.Socket socket = sockets.get(i);
      ready[i] = socket != null && (socket.getEvents() & ZMQ.Poller.POLLIN) != 0;
      any |= ready[i];
    }
    return any;
  }

  /** Whether the socket or channel at {@code index} was ready when {@link #poll} returned. */
  public boolean readable(int index) {
    return ready[index];
  }

  @Override
  public void close() {
    try {
      selector.close();
    } catch (IOException e) {
      // A selector that fails to close holds nothing the loop still needs.
    }
  }
}
