package zmq.poll;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import zmq.Ctx;
import zmq.ZError;

/**
 * mp4j's replacement for JeroMQ 0.6.0's {@code zmq.poll.Poller}, the event loop of each JeroMQ I/O
 * thread and of its reaper: the same package, name and public methods, loaded in its place as
 * {@code zmq.Signaler} is (mp4j-protocol comes before jeromq on the class path). Not for users.
 *
 * <p>It differs in one thing that costs every message: when a connection's engine is handed a
 * message, it turns on write interest in its socket and writes at once, and it turns the interest
 * off only when a later write event finds nothing more to send. JeroMQ's poller applies interest
 * changes at its next select, so each message sent cost an {@code epoll_ctl} to watch for
 * writing, a wake-up of the I/O thread when the socket was (as it always is) writable, and a
 * second {@code epoll_ctl} to stop: three system calls, and a turn of the I/O thread, for
 * nothing. Here a handle whose write interest was turned on since the last select gets its write
 * event once more just before the next select; an engine whose write emptied its buffer then
 * finds nothing to send and turns the interest off again, and the selector, which sees no change,
 * makes no system call. An engine that could not write everything keeps the interest, and the
 * selector wakes it when its socket can take more, as before.
 *
 * <p>Interest changes are applied to the handles that changed, not by a walk over every handle
 * (a broker's I/O thread watches one socket per peer). {@code docs/architecture.md} has the
 * measurements.
 */
public final class Poller extends PollerBase implements Runnable {
  /** A channel watched for a handler, with the events it wants. */
  public static final class Handle {
    private final SelectableChannel fd;
    private final IPollEvents handler;
    private int ops;
    private boolean cancelled;
    /** In the poller's list of changed handles. */
    private boolean queued;
    /** In the poller's list of handles armed for writing. */
    private boolean armed;

    public Handle(SelectableChannel fd, IPollEvents handler) {
      this.fd = fd;
      this.handler = handler;
    }

    @Override
    public String toString() {
      return "Handle-" + fd;
    }
  }

  private final Ctx ctx;
  private final Thread.UncaughtExceptionHandler failures;
  private final Set<Handle> handles = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Handles whose interest or cancellation the selector has not seen yet. */
  private final List<Handle> changed = new ArrayList<>();
  /** Handles whose write interest was turned on since the last select. */
  private List<Handle> armed = new ArrayList<>();
  private List<Handle> arming = new ArrayList<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private Selector selector;
  private final Consumer<SelectionKey> dispatch = this::dispatch;

  public Poller(Ctx ctx, String name) {
    super(name, ctx.getThreadFactory());
    this.ctx = ctx;
    this.failures = ctx.getNotificationExceptionHandler();
    this.selector = ctx.createSelector();
  }

  /** Stops the loop, waits for it to end and closes the selector. */
  public void destroy() {
    try {
      stop();
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ctx.closeSelector(selector);
    }
  }

  public Handle addHandle(SelectableChannel fd, IPollEvents events) {
    Handle handle = new Handle(fd, events);
    handles.add(handle);
    queue(handle);
    adjustLoad(1);
    return handle;
  }

  public void removeHandle(Handle handle) {
    handle.cancelled = true;
    queue(handle);
    adjustLoad(-1);
  }

  public void setPollIn(Handle handle) {
    change(handle, SelectionKey.OP_READ, true);
  }

  public void resetPollIn(Handle handle) {
    change(handle, SelectionKey.OP_READ, false);
  }

  public void setPollOut(Handle handle) {
    if ((handle.ops & SelectionKey.OP_WRITE) == 0 && !handle.armed) {
      handle.armed = true;
      armed.add(handle);
    }
    change(handle, SelectionKey.OP_WRITE, true);
  }

  public void resetPollOut(Handle handle) {
    change(handle, SelectionKey.OP_WRITE, false);
  }

  public void setPollConnect(Handle handle) {
    change(handle, SelectionKey.OP_CONNECT, true);
  }

  public void setPollAccept(Handle handle) {
    change(handle, SelectionKey.OP_ACCEPT, true);
  }

  private void change(Handle handle, int ops, boolean on) {
    int before = handle.ops;
    handle.ops = on ? before | ops : before & ~ops;
    if (handle.ops != before) {
      queue(handle);
    }
  }

  private void queue(Handle handle) {
    if (!handle.queued) {
      handle.queued = true;
      changed.add(handle);
    }
  }

  public void start() {
    worker.start();
  }

  public void stop() {
    stopping.set(true);
    selector.wakeup();
  }

  @Override
  public void run() {
    try {
      loop();
    } finally {
      stopped.countDown();
    }
  }

  private void loop() {
    int emptySelects = 0;
    while (!stopping.get()) {
      try {
        // Timers may arm handles (a heartbeat's ping), and a handler that fails as it writes
        // may add a timer (a reconnection): the select's wait is known when neither is left.
        long timeout;
        do {
          writeArmed();
          timeout = executeTimers();
        } while (!armed.isEmpty());
        applyChanges();
        long start = System.currentTimeMillis();
        int selected = selector.select(dispatch, timeout);
        if (selected == 0) {
          emptySelects = countEmptySelect(emptySelects, timeout, start);
        }
      } catch (ClosedSelectorException e) {
        if (stopping.get()) {
          // A context that ends closes every selector it made, the reaper's while it may still
          // be handing out the events of its last select.
          return;
        }
        rebuildSelector();
        failures.uncaughtException(worker, e);
        ctx.errno().set(ZError.EINTR);
      } catch (IOException e) {
        throw new ZError.IOException(e);
      }
    }
  }

  /**
   * Gives each handle armed for writing since the last select its write event now, while its
   * interest change is still unseen by the selector: see the class comment.
   */
  private void writeArmed() {
    while (!armed.isEmpty()) {
      List<Handle> now = armed;
      armed = arming;
      arming = now;
      for (Handle handle : now) {
        handle.armed = false;
        if (!handle.cancelled && (handle.ops & SelectionKey.OP_WRITE) != 0) {
          try {
            handle.handler.outEvent();
          } catch (RuntimeException e) {
            failures.uncaughtException(worker, e);
          }
        }
      }
      now.clear();
    }
  }

  private void applyChanges() {
    for (Handle handle : changed) {
      handle.queued = false;
      SelectionKey key = handle.fd.keyFor(selector);
      if (handle.cancelled || !handle.fd.isOpen()) {
        if (key != null) {
          key.cancel();
        }
        handles.remove(handle);
      } else if (key == null) {
        try {
          handle.fd.register(selector, handle.ops, handle);
        } catch (ClosedChannelException | CancelledKeyException e) {
          failures.uncaughtException(worker, e);
        }
      } else if (key.isValid()) {
        key.interestOps(handle.ops);
      }
    }
    changed.clear();
  }

  private void dispatch(SelectionKey key) {
    Handle handle = (Handle) key.attachment();
    if (handle.cancelled) {
      return;
    }
    try {
      if (key.isValid() && key.isAcceptable()) {
        handle.handler.acceptEvent();
      }
      if (key.isValid() && key.isConnectable()) {
        handle.handler.connectEvent();
      }
      if (key.isValid() && key.isWritable()) {
        handle.handler.outEvent();
      }
      if (key.isValid() && key.isReadable()) {
        handle.handler.inEvent();
      }
    } catch (RuntimeException e) {
      failures.uncaughtException(worker, e);
    }
  }

  /**
   * Counts selects that returned at once with nothing selected, and replaces the selector after
   * more than ten in a row (the JDK's epoll selector has been known to spin so).
   */
  private int countEmptySelect(int emptySelects, long timeout, long start) {
    boolean early = timeout == 0 || System.currentTimeMillis() - start < timeout / 2;
    int count = early ? emptySelects + 1 : 0;
    if (count > 10) {
      rebuildSelector();
      return 0;
    }
    return count;
  }

  private void rebuildSelector() {
    Selector old = selector;
    selector = ctx.createSelector();
    for (Handle handle : handles) {
      queue(handle);
    }
    ctx.closeSelector(old);
  }
}
