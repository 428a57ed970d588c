package zmq;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicLong;
import zmq.util.Errno;
import zmq.util.Utils;

/**
 * mp4j's replacement for JeroMQ 0.6.0's internal {@code zmq.Signaler}: the same package, name and
 * package-private methods, so JeroMQ's mailboxes use it when mp4j-protocol comes before jeromq on
 * the class path (Maven puts a module before its dependencies). Not for users.
 *
 * <p>A signaler wakes a mailbox's reader: the sender writes a byte to a pipe that the reader's
 * selector watches, and counts it in {@code wcursor}, which {@code waitEvent(0)} compares with the
 * bytes taken. JeroMQ writes the byte first and counts it after. The write wakes the reader, which
 * on a busy machine often takes the sender's core at once, before the count: it finds nothing to
 * take and leaves the byte in the pipe, so its selector returns at once, again and again, until
 * the scheduler gives the sender back its core to count. Every JeroMQ I/O thread woken by a
 * command spun so, for up to a scheduler tick (on 2 cores: Manager callers in four processes got a
 * third of one caller's throughput, and a bare JeroMQ round trip's p99 was 4 ms).
 *
 * <p>Here the count comes first. A reader that sees the byte then always sees its count; one that
 * sees the count before the byte has arrived waits in its selector for the byte instead of taking
 * it as gone. {@code docs/architecture.md} says how this was found and how it was measured; drop
 * this class once JeroMQ counts before it writes.
 */
final class Signaler implements Closeable {
  /** A channel operation; it answers the bytes it moved, or 0. */
  private interface Io {
    int run() throws IOException;
  }

  private final Pipe.SinkChannel w;
  private final Pipe.SourceChannel r;
  private final Selector selector;
  private final AtomicLong wcursor = new AtomicLong();
  private long rcursor;
  private final Ctx ctx;
  private final int pid;
  private final Errno errno;

  Signaler(Ctx ctx, int pid, Errno errno) {
    this.ctx = ctx;
    this.pid = pid;
    this.errno = errno;
    try {
      Pipe pipe = Pipe.open();
      r = pipe.source();
      w = pipe.sink();
      Utils.unblockSocket(w, r);
      selector = ctx.createSelector();
      r.register(selector, SelectionKey.OP_READ);
    } catch (IOException e) {
      throw new ZError.IOException(e);
    }
  }

  /** An interrupt would close the channel under NIO; it is kept for the caller to see instead. */
  private static int keepingInterrupt(Io io) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      return io.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (Closeable step : new Closeable[] {r, w, () -> ctx.closeSelector(selector)}) {
      try {
        keepingInterrupt(() -> closing(step));
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static int closing(Closeable channel) throws IOException {
    channel.close();
    return 0;
  }

  SelectableChannel getFd() {
    return r;
  }

  void send() {
    wcursor.incrementAndGet();
    ByteBuffer one = ByteBuffer.allocate(1);
    try {
      while (keepingInterrupt(() -> w.write(one)) == 0) {
        one.clear();
      }
    } catch (ClosedChannelException e) {
      // The mailbox was closed: its owner has ended and reads nothing more. A context that ends
      // can still send one a command (an I/O thread ending a TCP listener sent the term ack to a
      // socket already closed, once in 48 pools a probe closed), and JeroMQ's class threw here,
      // which printed a stack trace from the I/O thread.
    } catch (IOException e) {
      throw new ZError.IOException(e);
    }
  }

  boolean waitEvent(long timeout) {
    // A look that does not wait leaves an interrupt to the wait it interrupts: a thread that
    // drives an event loop checks its sockets between waits, and JeroMQ's own check swallowed
    // the interrupt of a caller waiting for a reply that way.
    if (timeout != 0 && Thread.interrupted()) {
      errno.set(ZError.EINTR);
      return false;
    }
    if (rcursor < wcursor.get()) {
      return true;
    }
    if (timeout == 0) {
      errno.set(ZError.EAGAIN);
      return false;
    }
    int selected;
    try {
      selected = selector.select(timeout < 0 ? 0 : timeout);
    } catch (ClosedSelectorException e) {
      errno.set(ZError.EINTR);
      return false;
    } catch (IOException e) {
      errno.set(ZError.exccode(e));
      return false;
    }
    if (Thread.interrupted() || (selected == 0 && timeout < 0 && !selector.keys().isEmpty())) {
      errno.set(ZError.EINTR);
      return false;
    }
    if (selected == 0) {
      errno.set(ZError.EAGAIN);
      return false;
    }
    selector.selectedKeys().clear();
    return true;
  }

  void recv() {
    ByteBuffer one = ByteBuffer.allocate(1);
    try {
      while (keepingInterrupt(() -> r.read(one)) == 0) {
        // Counted but not yet written: the sender is between the two steps.
        selector.select();
        selector.selectedKeys().clear();
      }
    } catch (ClosedChannelException | ClosedSelectorException e) {
      errno.set(ZError.EINTR);
      return;
    } catch (IOException e) {
      throw new ZError.IOException(e);
    }
    rcursor++;
  }

  @Override
  public String toString() {
    return "Signaler[" + pid + "]";
  }
}
