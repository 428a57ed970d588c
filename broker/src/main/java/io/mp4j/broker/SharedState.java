package io.mp4j.broker;

import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Request;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.Wire;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BiConsumer;
import org.msgpack.core.MessageUnpacker;

/**
 * The shared objects the broker serves, answering REQUESTs on the loop thread: queues here, the
 * Manager's objects in {@link ManagedObjects}.
 *
 * <p>A request that cannot be answered yet (a get on an empty queue, a put on a full one, a join
 * with unfinished items) is parked with its deadline and answered by the operation that makes it
 * possible, or by {@link #expire} when the deadline passes: nobody polls. Timeouts are in
 * milliseconds: -1 waits for ever, 0 answers at once.
 */
final class SharedState {
  private final Map<String, SharedQueue> queues = new HashMap<>();
  private final PriorityQueue<Parked> deadlines =
      new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
  /** Where replies go, as encoded REPLY body frames. */
  private final BiConsumer<Peer, byte[]> replies;
  private final ManagedObjects managed;
  private long lastLeaseId;
  /** A run lent out stops at the item that takes it past this many bytes. */
  private static final long LEASE_BYTES = 1 << 20;
  /** How long a get waits at least while a run is lent out (see {@link #waitForItem}). */
  private static final long LEASE_GRACE_MILLIS = 50;

  SharedState(BiConsumer<Peer, byte[]> replies, Map<String, Class<?>> registeredTypes) {
    this.replies = replies;
    this.managed = new ManagedObjects(replies, registeredTypes);
  }

  /** Carries out one request; the reply may come now or later. */
  void handle(Peer peer, Request request, long now) {
    if (!request.op().startsWith("queue.")) {
      managed.handle(peer, request, now);
      return;
    }
    try (MessageUnpacker args = Wire.unpacker(request.args())) {
      switch (request.op()) {
        case "queue.open" -> open(peer, request, args);
        case "queue.put" -> put(peer, request, args, now);
        case "queue.putAll" -> putAll(peer, request);
        case "queue.get" -> get(peer, request, args, now, false);
        case "queue.getMany" -> get(peer, request, args, now, true);
        case "queue.lease" -> lease(peer, request, args, now);
        case "queue.release" -> release(peer, request, args);
        case "queue.size" -> withQueue(peer, request, queue ->
            ok(peer, request, Slice.of(Wire.pack(packer -> packer.packInt(queue.items.size())))));
        case "queue.taskDone" -> withQueue(peer, request, queue -> taskDone(peer, request, queue));
        case "queue.join" -> join(peer, request, args, now);
        case "queue.delete" -> delete(peer, request);
        case "queue.cancel" -> withQueue(peer, request, queue -> cancel(peer, request, queue,
            args));
        default -> fail(peer, request, ErrorCode.BAD_REQUEST, "unknown operation " + request.op());
      }
    } catch (IOException | RuntimeException e) {
      fail(peer, request, ErrorCode.BAD_REQUEST, "malformed arguments for " + request.op() + ": "
          + e.getMessage());
    }
  }

  private void open(Peer peer, Request request, MessageUnpacker args) throws IOException {
    args.unpackArrayHeader();
    int maxSize = args.unpackInt();
    boolean joinable = args.unpackBoolean();
    if (maxSize < 0) {
      fail(peer, request, ErrorCode.BAD_REQUEST, "a queue's max size is 0 (no limit) or more,"
          + " got " + maxSize);
      return;
    }
    SharedQueue queue = queues.computeIfAbsent(request.name(),
        name -> new SharedQueue(name, maxSize, joinable));
    ok(peer, request, Slice.of(Wire.pack(packer -> {
      packer.packArrayHeader(2);
      packer.packInt(queue.maxSize);
      packer.packBoolean(queue.joinable);
    })));
  }

  private void put(Peer peer, Request request, MessageUnpacker args, long now)
      throws IOException {
    args.unpackArrayHeader();
    Slice item = kept(List.of(Wire.readSlice(args, request.args())), request.args()).get(0);
    long timeout = timeout(peer, request, args);
    if (timeout < -1) {
      return;
    }
    withQueue(peer, request, queue -> {
      if (!queue.full() || handOver(queue)) {
        add(queue, List.of(item));
        ok(peer, request, null);
      } else if (timeout == 0 || request.quiet()) {
        // A quiet put is never parked: its sender settles it by the next reply it gets.
        fail(peer, request, ErrorCode.FULL, "queue " + queue.name + " is full ("
            + queue.maxSize + " items)");
      } else {
        park(queue.putters, new Parked(Parked.Kind.PUT, peer, request.requestId(),
            deadline(now, timeout), queue, item, 1));
      }
    });
  }

  /**
   * Adds a run of items, in order, to a queue without a size limit (which never waits): how a
   * producer's burst of puts travels.
   */
  private void putAll(Peer peer, Request request) throws IOException {
    List<Slice> items = Wire.unpackSlices(request.args());
    withQueue(peer, request, queue -> {
      if (queue.maxSize != 0) {
        fail(peer, request, ErrorCode.BAD_REQUEST, "queue.putAll is for a queue without a size"
            + " limit; queue " + queue.name + " holds at most " + queue.maxSize);
        return;
      }
      add(queue, kept(items, request.args()));
      ok(peer, request, null);
    });
  }

  /**
   * The items to keep of those a request brought: slices of the message they came in, with
   * nothing copied (a copy of each item was fresh memory, dearer than anything else a streaming
   * queue does in the broker), unless they are too small a part of it: a few small items must not
   * hold a large message in memory.
   */
  private static List<Slice> kept(List<Slice> items, Slice args) {
    long bytes = 0;
    for (Slice item : items) {
      bytes += item.length();
    }
    if (bytes * 2 >= args.array().length) {
      return items;
    }
    List<Slice> copies = new ArrayList<>(items.size());
    for (Slice item : items) {
      copies.add(Slice.of(item.toArray()));
    }
    return copies;
  }

  /** Whether a parked get can take an item at once, which leaves room for one more. */
  private static boolean handOver(SharedQueue queue) {
    if (queue.lease != null) {
      return false;
    }
    for (Parked getter : queue.getters) {
      if (!getter.answered) {
        return true;
      }
    }
    return false;
  }

  /**
   * Adds items in order, then lets parked gets take from them. All of a burst goes in first, so
   * that a consumer parked on the empty queue borrows the whole run instead of its first item.
   */
  private void add(SharedQueue queue, List<Slice> items) {
    if (queue.joinable) {
      queue.unfinished += items.size();
    }
    queue.items.addAll(items);
    serveGetters(queue);
  }

  /** Answers parked gets in order while the head can be taken. */
  private void serveGetters(SharedQueue queue) {
    while (queue.takeable()) {
      Parked getter = SharedQueue.next(queue.getters);
      if (getter == null) {
        break;
      }
      getter.answered = true;
      replies.accept(getter.peer, take(queue, getter.peer, getter.requestId, getter.kind,
          getter.most));
    }
  }

  /**
   * Takes what a get of this kind takes from the head of a takeable queue, as the encoded reply
   * that answers it: one item, up to {@code most} of them, or a lent run of them. The items are
   * written once, straight into the reply.
   */
  private byte[] take(SharedQueue queue, Peer peer, long requestId, Parked.Kind kind, int most) {
    return switch (kind) {
      case GET -> Reply.ok(requestId, queue.items.pollFirst()).encode();
      case GET_MANY -> {
        List<Slice> taken = queue.take(most, Long.MAX_VALUE);
        yield Reply.encodeOk(requestId, Wire.slicesSize(taken),
            packer -> Wire.writeSlices(packer, taken));
      }
      case LEASE -> {
        // A bounded queue lends nothing: room made by a get is there for the next put at once.
        List<Slice> taken = queue.take(queue.maxSize == 0 ? most : 1, LEASE_BYTES);
        long leaseId = 0;
        if (taken.size() > 1) {
          leaseId = ++lastLeaseId;
          queue.lease = new SharedQueue.Lease(leaseId, peer, taken);
        }
        long id = leaseId;
        yield Reply.encodeOk(requestId, 1 + Wire.integerSize(id) + Wire.slicesSize(taken),
            packer -> {
              packer.packArrayHeader(2);
              packer.packLong(id);
              Wire.writeSlices(packer, taken);
            });
      }
      default -> throw new IllegalArgumentException(kind + " takes no items");
    };
  }

  /**
   * A get that takes the head and, when more items wait in a queue without a size limit, lends
   * the consumer a run of up to {@code max} of them (and about 1 MiB), answered as
   * {@code [leaseId, [items]]} (lease id 0 when only one item is taken): a consumer that streams
   * saves a round trip per item, and a run it does not use comes back to the head by
   * {@code queue.release}.
   */
  private void lease(Peer peer, Request request, MessageUnpacker args, long now)
      throws IOException {
    args.unpackArrayHeader();
    long timeout = timeout(peer, request, args);
    if (timeout < -1) {
      return;
    }
    int max = Math.max(1, args.unpackInt());
    withQueue(peer, request, queue -> {
      if (queue.takeable()) {
        replies.accept(peer, take(queue, peer, request.requestId(), Parked.Kind.LEASE, max));
        admitPutters(queue);
      } else {
        waitForItem(peer, request, queue, Parked.Kind.LEASE, max, timeout, now);
      }
    });
  }

  /**
   * Answers a get that finds nothing to take now with EMPTY, or parks it. While a run is lent
   * out, even a get that would not wait parks for a moment: the run's unused items come back
   * within milliseconds of its borrower's last get, and until then the queue is not empty.
   */
  private void waitForItem(Peer peer, Request request, SharedQueue queue, Parked.Kind kind,
      int most, long timeout, long now) {
    long wait = queue.lease == null || timeout < 0 ? timeout
        : Math.max(timeout, LEASE_GRACE_MILLIS);
    if (wait == 0) {
      fail(peer, request, ErrorCode.EMPTY, "queue " + queue.name + " is empty");
    } else {
      park(queue.getters, new Parked(kind, peer, request.requestId(), deadline(now, wait), queue,
          null, most));
    }
  }

  /** Ends a lease: the consumer used its first {@code used} items, the rest go back. */
  private void release(Peer peer, Request request, MessageUnpacker args) throws IOException {
    args.unpackArrayHeader();
    long leaseId = args.unpackLong();
    int used = args.unpackInt();
    withQueue(peer, request, queue -> {
      SharedQueue.Lease lease = queue.lease;
      if (lease != null && lease.id() == leaseId && lease.peer() == peer) {
        queue.giveBack(used);
        serveWaiting(queue);
      }
      ok(peer, request, null);
    });
  }

  /** After a lease ended: the gets that waited behind it take the head, then puts fill in. */
  private void serveWaiting(SharedQueue queue) {
    serveGetters(queue);
    admitPutters(queue);
  }

  /** Moves parked puts into the queue while there is room. */
  private void admitPutters(SharedQueue queue) {
    for (Parked putter = queue.full() ? null : SharedQueue.next(queue.putters);
        putter != null; putter = queue.full() ? null : SharedQueue.next(queue.putters)) {
      add(queue, List.of(putter.item));
      answer(putter, Reply.ok(putter.requestId));
    }
  }

  /**
   * A get of one item, or with {@code many} of every item there is up to a maximum (as an array):
   * a consumer that takes a run of items at once saves a round trip per item.
   */
  private void get(Peer peer, Request request, MessageUnpacker args, long now, boolean many)
      throws IOException {
    int arity = args.unpackArrayHeader();
    long timeout = timeout(peer, request, args);
    if (timeout < -1) {
      return;
    }
    int max = many && arity > 1 ? Math.max(1, args.unpackInt()) : 1;
    withQueue(peer, request, queue -> {
      Parked.Kind kind = many ? Parked.Kind.GET_MANY : Parked.Kind.GET;
      if (queue.takeable()) {
        replies.accept(peer, take(queue, peer, request.requestId(), kind, max));
        admitPutters(queue);
      } else {
        waitForItem(peer, request, queue, kind, max, timeout, now);
      }
    });
  }

  private void taskDone(Peer peer, Request request, SharedQueue queue) {
    if (!queue.joinable) {
      fail(peer, request, ErrorCode.BAD_REQUEST, "queue " + queue.name + " is not joinable");
    } else if (queue.unfinished == 0) {
      fail(peer, request, ErrorCode.BAD_REQUEST, "taskDone() called more times than items were"
          + " put in queue " + queue.name);
    } else {
      queue.unfinished--;
      ok(peer, request, null);
      if (queue.unfinished == 0) {
        for (Parked joiner = SharedQueue.next(queue.joiners); joiner != null;
            joiner = SharedQueue.next(queue.joiners)) {
          answer(joiner, Reply.ok(joiner.requestId));
        }
      }
    }
  }

  private void join(Peer peer, Request request, MessageUnpacker args, long now)
      throws IOException {
    args.unpackArrayHeader();
    long timeout = timeout(peer, request, args);
    if (timeout < -1) {
      return;
    }
    withQueue(peer, request, queue -> {
      if (queue.unfinished == 0) {
        ok(peer, request, null);
      } else if (timeout == 0) {
        fail(peer, request, ErrorCode.TIMEOUT, queue.unfinished + " items of queue " + queue.name
            + " are not done");
      } else {
        park(queue.joiners, new Parked(Parked.Kind.JOIN, peer, request.requestId(),
            deadline(now, timeout), queue, null, 1));
      }
    });
  }

  /**
   * Withdraws a parked request of the same peer (its caller was interrupted). The parked request
   * is answered first, with TIMEOUT; if it was answered before, that answer stands, so an item
   * already on its way is not lost.
   */
  private void cancel(Peer peer, Request request, SharedQueue queue, MessageUnpacker args) {
    long target;
    try {
      args.unpackArrayHeader();
      target = args.unpackLong();
    } catch (IOException | RuntimeException e) {
      fail(peer, request, ErrorCode.BAD_REQUEST, "queue.cancel takes [requestId]");
      return;
    }
    for (ArrayDeque<Parked> parked : List.of(queue.getters, queue.putters,
        queue.joiners)) {
      for (Parked waiting : parked) {
        if (waiting.peer == peer && waiting.requestId == target && !waiting.answered) {
          answer(waiting, Reply.failed(target, ErrorCode.TIMEOUT, "cancelled"));
        }
      }
    }
    ok(peer, request, null);
  }

  private void delete(Peer peer, Request request) {
    SharedQueue queue = queues.remove(request.name());
    if (queue != null) {
      String gone = "queue " + queue.name + " was deleted";
      for (ArrayDeque<Parked> parked : List.of(queue.getters, queue.putters,
          queue.joiners)) {
        for (Parked waiting = SharedQueue.next(parked); waiting != null;
            waiting = SharedQueue.next(parked)) {
          answer(waiting, Reply.failed(waiting.requestId, ErrorCode.NO_SUCH_OBJECT, gone));
        }
      }
    }
    ok(peer, request, null);
  }

  /** Answers every parked request whose deadline has passed. */
  void expire(long now) {
    managed.expire(now);
    while (!deadlines.isEmpty() && deadlines.peek().deadline - now <= 0) {
      Parked parked = deadlines.poll();
      if (parked.answered) {
        continue;
      }
      String name = parked.queue.name;
      answer(parked, switch (parked.kind) {
        case PUT -> Reply.failed(parked.requestId, ErrorCode.FULL, "queue " + name
            + " stayed full");
        case JOIN -> Reply.failed(parked.requestId, ErrorCode.TIMEOUT, "queue " + name
            + " still has unfinished items");
        case GET, GET_MANY, LEASE -> Reply.failed(parked.requestId, ErrorCode.EMPTY,
            "queue " + name + " stayed empty");
      });
    }
  }

  /** The nearest deadline of a parked request, or Long.MAX_VALUE when none has one. */
  long nextDeadline() {
    while (!deadlines.isEmpty() && deadlines.peek().answered) {
      deadlines.poll();
    }
    long managedDeadline = managed.nextDeadline();
    return deadlines.isEmpty() ? managedDeadline
        : Math.min(managedDeadline, deadlines.peek().deadline);
  }

  /**
   * Forgets what a peer that left was waiting for, and puts the items lent to it back at the
   * head: it may have used some of them, but which is not known, and an item handed out twice is
   * better than one lost.
   */
  void peerGone(Peer peer) {
    managed.peerGone(peer);
    for (SharedQueue queue : queues.values()) {
      boolean lent = queue.lease != null && queue.lease.peer() == peer;
      if (lent) {
        queue.giveBack(0);
      }
      for (ArrayDeque<Parked> parked : List.of(queue.getters, queue.putters,
          queue.joiners)) {
        for (Parked waiting : parked) {
          if (waiting.peer == peer) {
            waiting.answered = true;
          }
        }
      }
      if (lent) {
        serveWaiting(queue);
      }
    }
  }

  int objectCount() {
    return managed.objectCount();
  }

  int queueCount() {
    return queues.size();
  }

  java.util.Collection<SharedQueue> queues() {
    return queues.values();
  }

  private interface QueueAction {
    void run(SharedQueue queue);
  }

  private void withQueue(Peer peer, Request request, QueueAction action) {
    SharedQueue queue = queues.get(request.name());
    if (queue == null) {
      fail(peer, request, ErrorCode.NO_SUCH_OBJECT, "no queue named " + request.name()
          + ": it was deleted or never opened");
    } else {
      action.run(queue);
    }
  }

  /** Reads a timeout argument; answers and returns -2 when it is not -1 or more. */
  private long timeout(Peer peer, Request request, MessageUnpacker args) throws IOException {
    long timeout = args.unpackLong();
    if (timeout < -1) {
      fail(peer, request, ErrorCode.BAD_REQUEST, "a timeout is 0 or more milliseconds (or -1"
          + " for none), got " + timeout);
      return -2;
    }
    return timeout;
  }

  private static long deadline(long now, long timeoutMillis) {
    return timeoutMillis < 0 ? Long.MAX_VALUE : now + timeoutMillis * 1_000_000L;
  }

  private void park(ArrayDeque<Parked> parked, Parked request) {
    parked.addLast(request);
    if (request.deadline != Long.MAX_VALUE) {
      deadlines.add(request);
    }
  }

  private void answer(Parked parked, Reply reply) {
    parked.answered = true;
    replies.accept(parked.peer, reply.encode());
  }

  private void ok(Peer peer, Request request, Slice payload) {
    if (request.quiet()) {
      return; // a quiet request is answered only when it fails
    }
    replies.accept(peer, Reply.ok(request.requestId(), payload).encode());
  }

  private void fail(Peer peer, Request request, ErrorCode code, String message) {
    replies.accept(peer, Reply.failed(request.requestId(), code, message).encode());
  }
}
