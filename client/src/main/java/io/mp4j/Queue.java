package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.ReplyFuture;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.CodecException;
import io.mp4j.protocol.codec.SharedHandle;
import io.mp4j.protocol.codec.ValueReader;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.msgpack.core.MessageUnpacker;

/**
 * A queue held by the broker and shared by every process that has it: Python's
 * {@code multiprocessing.Queue}, as a {@link BlockingQueue}.
 *
 * <p>Items live in the broker, so they outlive the process that put them and reach a consumer on
 * any host. A get on an empty queue and a put on a full one wait in the broker, not in a polling
 * loop here. A put to a queue without a size limit does not wait for the broker: puts gather in
 * this handle and the connection sends each burst as one request, in order (a failure is thrown
 * by the next put). A get on such a queue that finds a run of items waiting borrows up to 1,024
 * of them (and about 1 MiB), so that a consumer that keeps taking pays one round trip per run,
 * not per item; while a run is borrowed other consumers wait for it, so items still reach
 * consumers strictly in queue order, and a poison pill never overtakes the items before it. A
 * run goes back to the head of the queue when this handle's gets stop for 2 ms, when it is
 * closed, or when its process dies (then whole: items it took may be handed out again). Passed
 * to a task as an argument, a queue arrives as a working queue bound to the worker's own
 * connection.
 *
 * <p>Python's names map as: {@code put}/{@code get} are {@link #put}/{@link #take};
 * {@code put(block=False)} is {@link #offer(Object)} (false where Python raises {@code Full});
 * {@code get(timeout=t)} is {@link #poll(long, TimeUnit)} (null where Python raises
 * {@code Empty}); {@code qsize()}, {@code empty()}, {@code full()} are {@link #size()},
 * {@link #isEmpty()}, {@link #isFull()}. As in Python they are a snapshot: here another
 * consumer's borrowed run is not counted until it goes back.
 *
 * <p><b>Warning:</b> items are copies. Changing an item after it was put does not change the
 * queue, and {@code null} cannot be put (the {@code BlockingQueue} contract): use a sentinel
 * value as a poison pill. Iteration and {@code peek} are not supported: another process may take
 * any item at any moment.
 *
 * @param <E> the item type
 */
public class Queue<E> extends AbstractQueue<E> implements BlockingQueue<E>, SharedHandle {
  static final String KIND = "queue";
  /** The most items one round trip of {@link #drainTo} brings. */
  private static final int DRAIN_RUN = 512;
  /** The most bytes of puts that gather before a put waits for the connection to send them. */
  private static final long UNSENT_BYTES = 1 << 20;
  /** The most items one get borrows ahead of need. */
  private static final int LEASE_RUN = 1024;
  /** How long borrowed items wait for the next get here before they go back to the queue. */
  private static final long LEASE_IDLE_NANOS = 2_000_000;
  private static final ScheduledExecutorService LEASE_TIMER =
      Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "mp4j-queue-leases");
        thread.setDaemon(true);
        return thread;
      });

  private final BrokerChannel channel;
  private final String name;
  private final Type itemType;
  private final ValueReader reader;
  private final int maxSize;
  private final boolean joinable;
  private volatile boolean closed;
  /** The failure of a put that was not waited for, thrown by the next put. */
  private volatile Mp4jException lostPut;
  /** Encoded items put and not yet handed to the connection (see {@link #putWithin}). */
  private final ConcurrentLinkedQueue<byte[]> unsent = new ConcurrentLinkedQueue<>();
  /** Whether the connection has been asked to send what gathered in {@link #unsent}. */
  private final AtomicBoolean sendAsked = new AtomicBoolean();
  private final AtomicLong bursts = new AtomicLong();
  private final AtomicLong unsentBytes = new AtomicLong();
  /** Items borrowed from the head by the last get (see {@link #getWithin}); guarded by itself. */
  private final ArrayDeque<Slice> borrowed = new ArrayDeque<>();
  private long leaseId;
  private int leaseUsed;
  private long lastTakeNanos;

  Queue(BrokerChannel channel, String name, Type itemType, int maxSize, boolean joinable) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.name = Objects.requireNonNull(name, "name");
    this.itemType = itemType;
    this.reader = Codec.reader(itemType);
    this.maxSize = maxSize;
    this.joinable = joinable;
  }

  /** Opens (or finds) the named queue in the broker behind the channel. */
  static <E> Queue<E> open(BrokerChannel channel, String name, Type itemType, int maxSize,
      boolean joinable) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize is 0 (no limit) or more, got " + maxSize);
    }
    Reply reply = await(channel.request("queue.open", name, Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packInt(maxSize);
      packer.packBoolean(joinable);
    })), name);
    try (MessageUnpacker in = Wire.unpacker(check(reply, name).payload())) {
      in.unpackArrayHeader();
      int actualMax = in.unpackInt();
      boolean actualJoinable = in.unpackBoolean();
      return actualJoinable ? new JoinableQueue<>(channel, name, itemType, actualMax)
          : new Queue<>(channel, name, itemType, actualMax, false);
    } catch (IOException e) {
      throw new BrokerException("malformed answer to opening queue " + name, e);
    }
  }

  /**
   * This queue's name in the broker; two programs that open the same name share the queue.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Adds an item, waiting in the broker for room if the queue is full.
   *
   * @param item the item, not null
   * @throws InterruptedException when interrupted while waiting; the item was not added
   * @throws EncodingException when the item cannot be encoded
   * @throws IllegalStateException when this handle was closed
   * @throws Mp4jException when the queue no longer exists or the broker is lost
   */
  @Override
  public void put(E item) throws InterruptedException {
    putWithin(item, -1);
  }

  /**
   * Adds an item if there is room now: Python's {@code put(block=False)}.
   *
   * @param item the item, not null
   * @return false when the queue is full
   * @throws EncodingException when the item cannot be encoded
   * @throws IllegalStateException when this handle was closed
   */
  @Override
  public boolean offer(E item) {
    try {
      return putWithin(item, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Adds an item, waiting at most the given time for room.
   *
   * @param item the item, not null
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return false when the queue stayed full
   * @throws InterruptedException when interrupted while waiting; the item was not added
   * @throws EncodingException when the item cannot be encoded
   * @throws IllegalArgumentException when the timeout is negative
   */
  @Override
  public boolean offer(E item, long timeout, TimeUnit unit) throws InterruptedException {
    return putWithin(item, SharedObject.millis(timeout, unit));
  }

  private boolean putWithin(E item, long timeoutMillis) throws InterruptedException {
    Objects.requireNonNull(item, "a queue holds no null items; use a sentinel value");
    byte[] value;
    try {
      value = Wire.pack(packer -> Codec.write(packer, item));
    } catch (CodecException e) {
      throw new EncodingException(e.getMessage(), e);
    }
    return putValue(value, timeoutMillis);
  }

  /** Puts an item already encoded as one msgpack value (a pipe's envelope). */
  boolean putValue(byte[] value, long timeoutMillis) throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("queue " + name + " was closed in this process");
    }
    if (maxSize == 0 && timeoutMillis < 0) {
      // A queue without a limit always takes the item, so a blocking put need not wait for the
      // broker: as Python's feeder thread does, puts gather here and the connection's I/O
      // thread sends what has gathered as one quiet request when it gets to it. The first put
      // of a burst asks for that sending; a request this thread makes after its puts is behind
      // it, so it sees them. A failure is thrown by the next put.
      Mp4jException earlier = lostPut;
      if (earlier != null) {
        throw earlier;
      }
      unsent.add(value);
      long gathered = unsentBytes.addAndGet(value.length);
      if (sendAsked.compareAndSet(false, true)) {
        // Every 64th burst is answered, which settles the quiet ones before it.
        boolean quiet = (bursts.incrementAndGet() & 63) != 0;
        channel.stream("queue.putAll", name, this::takeUnsent, quiet)
            .whenComplete((reply, error) -> {
              if (error != null) {
                lostPut = failure(error, name);
              } else if (reply.error() != null) {
                lostPut = new BrokerException("a put to queue " + name + " failed: "
                    + reply.message());
              }
              if (lostPut != null) {
                synchronized (unsent) {
                  unsent.notifyAll();
                }
              }
            });
      }
      if (gathered > UNSENT_BYTES) {
        // The connection is behind: wait for it, so that what gathers stays bounded.
        synchronized (unsent) {
          while (unsentBytes.get() > UNSENT_BYTES && lostPut == null) {
            unsent.wait();
          }
        }
      }
      return true;
    }
    byte[] args = Wire.packExact(1 + Wire.binarySize(value.length)
        + Wire.integerSize(timeoutMillis), packer -> {
      packer.packArrayHeader(2);
      packer.packBinaryHeader(value.length);
      packer.writePayload(value);
      packer.packLong(timeoutMillis);
    });
    Reply reply = awaitInterruptibly("queue.put", args);
    if (reply.error() == ErrorCode.FULL) {
      return false;
    }
    check(reply, name);
    return true;
  }

  /**
   * The arguments of a {@code queue.putAll} of every put gathered, or null when another send
   * took them first. Runs on the connection's I/O thread.
   */
  private byte[] takeUnsent() {
    sendAsked.set(false);
    List<byte[]> items = new ArrayList<>();
    long bytes = 0;
    for (byte[] item = unsent.poll(); item != null; item = unsent.poll()) {
      items.add(item);
      bytes += item.length;
    }
    if (items.isEmpty()) {
      return null;
    }
    unsentBytes.addAndGet(-bytes);
    synchronized (unsent) {
      unsent.notifyAll();
    }
    return Wire.packBinaries(items);
  }


  /**
   * Takes the next item, waiting in the broker until there is one.
   *
   * @return the item
   * @throws InterruptedException when interrupted while waiting; no item was taken
   * @throws EncodingException when the item does not decode into the item type
   */
  @Override
  public E take() throws InterruptedException {
    return getWithin(-1);
  }

  /**
   * Takes the next item if there is one now: Python's {@code get(block=False)}.
   *
   * @return the item, or null when the queue is empty
   */
  @Override
  public E poll() {
    try {
      return getWithin(0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Takes the next item, waiting at most the given time: Python's {@code get(timeout=t)}.
   *
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return the item, or null when the queue stayed empty (Python raises {@code Empty})
   * @throws InterruptedException when interrupted while waiting; no item was taken
   * @throws IllegalArgumentException when the timeout is negative
   */
  @Override
  public E poll(long timeout, TimeUnit unit) throws InterruptedException {
    return getWithin(SharedObject.millis(timeout, unit));
  }

  /**
   * Takes the head. A get that finds more items waiting borrows a run of them (a lease): the gets
   * after it here take from that run without a round trip, and other consumers wait until the
   * lease ends, so items still reach consumers strictly in queue order and a poison pill never
   * overtakes the items before it. The lease ends when its last item is taken, or, with items
   * left, when no get came for 2 ms; the broker then puts the rest back at the head.
   */
  private E getWithin(long timeoutMillis) throws InterruptedException {
    Slice value = takeValue(timeoutMillis);
    return value == null ? null : decode(value);
  }

  /** Takes the head as its encoded msgpack value, or null when none came in time. */
  Slice takeValue(long timeoutMillis) throws InterruptedException {
    synchronized (borrowed) {
      Slice next = borrowed.pollFirst();
      if (next != null) {
        leaseUsed++;
        lastTakeNanos = System.nanoTime();
        if (borrowed.isEmpty()) {
          endLease();
        }
        return next;
      }
    }
    Reply reply = awaitInterruptibly("queue.lease", Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packLong(timeoutMillis);
      packer.packInt(LEASE_RUN);
    }));
    if (reply.error() == ErrorCode.EMPTY) {
      return null;
    }
    Slice first;
    // The items stay where they lie in the reply: each copy was fresh memory.
    Slice run = check(reply, name).payload();
    try (MessageUnpacker in = Wire.unpacker(run)) {
      in.unpackArrayHeader();
      long id = in.unpackLong();
      int count = in.unpackArrayHeader();
      first = Wire.readSlice(in, run);
      if (count > 1) {
        synchronized (borrowed) {
          for (int i = 1; i < count; i++) {
            borrowed.addLast(Wire.readSlice(in, run));
          }
          leaseId = id;
          leaseUsed = 1;
          lastTakeNanos = System.nanoTime();
        }
        LEASE_TIMER.schedule(() -> endIdleLease(id), LEASE_IDLE_NANOS, TimeUnit.NANOSECONDS);
      }
    } catch (IOException e) {
      throw new BrokerException("malformed items of queue " + name, e);
    }
    return first;
  }

  /** Gives back a lease's unused items when no get came for a while. */
  private void endIdleLease(long id) {
    synchronized (borrowed) {
      if (leaseId != id) {
        return;
      }
      long idle = System.nanoTime() - lastTakeNanos;
      if (idle >= LEASE_IDLE_NANOS) {
        endLease();
      } else {
        LEASE_TIMER.schedule(() -> endIdleLease(id), LEASE_IDLE_NANOS - idle,
            TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * Ends the current lease, saying how many of its items were used; the broker puts the others
   * back. Sent without waiting, in order with this process's later requests. Holding the lock.
   */
  private void endLease() {
    if (leaseId == 0) {
      return;
    }
    long id = leaseId;
    int used = leaseUsed;
    leaseId = 0;
    borrowed.clear();
    channel.tell("queue.release", name, Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packLong(id);
      packer.packInt(used);
    }));
  }

  private E decode(Slice value) {
    try {
      @SuppressWarnings("unchecked")
      E item = (E) reader.read(value);
      return item;
    } catch (IOException | RuntimeException e) {
      throw new EncodingException("an item of queue " + name + " does not decode into "
          + itemType.getTypeName() + ": " + e.getMessage(), e);
    }
  }

  /** Not supported: another process may take the head at any moment. */
  @Override
  public E peek() {
    throw new UnsupportedOperationException("a shared queue cannot peek; use poll()");
  }

  /** Not supported: another process may take any item at any moment. */
  @Override
  public Iterator<E> iterator() {
    throw new UnsupportedOperationException("a shared queue cannot be iterated; use poll()");
  }

  /**
   * The number of items in the queue now: Python's {@code qsize()}.
   *
   * @return the item count, which other processes may change at once
   */
  @Override
  public int size() {
    Reply reply = check(await(channel.request("queue.size", name, new byte[] {(byte) 0x90}),
        name), name);
    try (MessageUnpacker in = Wire.unpacker(reply.payload())) {
      int here;
      synchronized (borrowed) {
        here = borrowed.size();
      }
      return in.unpackInt() + here;
    } catch (IOException e) {
      throw new BrokerException("malformed size of queue " + name, e);
    }
  }

  /**
   * Whether the queue is at its size limit now: Python's {@code full()}.
   *
   * @return true when a put would have to wait
   */
  public boolean isFull() {
    return maxSize > 0 && size() >= maxSize;
  }

  /**
   * How many more items fit now.
   *
   * @return the room left, or {@code Integer.MAX_VALUE} for a queue without a limit
   */
  @Override
  public int remainingCapacity() {
    return maxSize == 0 ? Integer.MAX_VALUE : Math.max(0, maxSize - size());
  }

  @Override
  public int drainTo(Collection<? super E> target) {
    return drainTo(target, Integer.MAX_VALUE);
  }

  /**
   * Takes the items waiting now, up to {@code maxItems}, in runs of up to 512 per round trip.
   *
   * @param target where the items go
   * @param maxItems the most items to take
   * @return how many were taken
   */
  @Override
  public int drainTo(Collection<? super E> target, int maxItems) {
    Objects.requireNonNull(target, "target");
    int count = 0;
    synchronized (borrowed) {
      while (count < maxItems && !borrowed.isEmpty()) {
        target.add(decode(borrowed.pollFirst()));
        leaseUsed++;
        count++;
      }
      if (borrowed.isEmpty()) {
        endLease();
      }
    }
    while (count < maxItems) {
      int want = Math.min(DRAIN_RUN, maxItems - count);
      Reply reply;
      try {
        reply = awaitInterruptibly("queue.getMany", Wire.pack(packer -> {
          packer.packArrayHeader(2);
          packer.packLong(0);
          packer.packInt(want);
        }));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return count;
      }
      if (reply.error() == ErrorCode.EMPTY) {
        return count;
      }
      try {
        for (Slice value : Wire.unpackSlices(check(reply, name).payload())) {
          target.add(decode(value));
          count++;
        }
      } catch (IOException e) {
        throw new BrokerException("malformed items of queue " + name, e);
      }
    }
    return count;
  }

  /**
   * Puts no more items through this handle, as Python's {@code close()}; the queue itself and
   * its items stay for the other processes. Idempotent.
   */
  public void close() {
    closed = true;
    synchronized (borrowed) {
      endLease();
    }
  }

  @Override
  public Ref ref() {
    return new Ref(KIND, name, channel.brokerAddress(), Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packInt(maxSize);
      packer.packBoolean(joinable);
    }));
  }

  /** Sends a request about this queue. */
  ReplyFuture requestOf(String op, byte[] args) {
    return channel.request(op, name, args);
  }

  /** Sends a request that may wait in the broker, withdrawing it if this thread is interrupted. */
  Reply awaitInterruptibly(String op, byte[] args) throws InterruptedException {
    ReplyFuture pending = channel.request(op, name, args);
    try {
      return pending.get();
    } catch (InterruptedException e) {
      // Withdraw the parked request; an answer already on its way stands, so nothing is lost.
      Reply cancelled = await(channel.request("queue.cancel", name, Wire.pack(packer -> {
        packer.packArrayHeader(1);
        packer.packLong(pending.requestId());
      })), name);
      Reply answer = pending.join();
      if (answer.error() == ErrorCode.TIMEOUT && cancelled.error() == null) {
        throw e;
      }
      Thread.currentThread().interrupt();
      return answer;
    } catch (ExecutionException e) {
      throw failure(e.getCause(), name);
    }
  }

  static Reply await(CompletableFuture<Reply> pending, String name) {
    try {
      return pending.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Mp4jException("interrupted while waiting for the broker", e);
    } catch (ExecutionException e) {
      throw failure(e.getCause(), name);
    }
  }

  private static Mp4jException failure(Throwable cause, String name) {
    return cause instanceof Mp4jException known ? known
        : new BrokerException("request on queue " + name + " failed: " + cause, cause);
  }

  /** Turns a failed reply into the exception a caller sees. */
  static Reply check(Reply reply, String name) {
    if (reply.error() == null) {
      return reply;
    }
    switch (reply.error()) {
      case NO_SUCH_OBJECT -> throw new IllegalStateException(reply.message());
      case BAD_REQUEST -> throw new IllegalArgumentException(reply.message());
      default -> throw new BrokerException("queue " + name + ": " + reply.message());
    }
  }
}
