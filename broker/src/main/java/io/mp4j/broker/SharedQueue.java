package io.mp4j.broker;

import io.mp4j.protocol.Slice;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A queue held by the broker: its items as encoded bytes (the broker never decodes them), and
 * the gets, puts and joins parked until they can be answered. Owned by the loop thread.
 */
final class SharedQueue {
  final String name;
  /** The most items it holds; 0 for no limit. */
  final int maxSize;
  final boolean joinable;
  final ArrayDeque<Slice> items = new ArrayDeque<>();
  final ArrayDeque<Parked> getters = new ArrayDeque<>();
  final ArrayDeque<Parked> putters = new ArrayDeque<>();
  final ArrayDeque<Parked> joiners = new ArrayDeque<>();
  /**
   * The run of items lent to a consumer, or null. There is at most one: nobody takes while a run
   * is out (see {@link #takeable}).
   */
  Lease lease;
  /** Items put and not yet marked done, for a joinable queue. */
  long unfinished;

  /**
   * A run of items from the head, lent to one consumer, which takes them one by one from its own
   * buffer and then says how many it used; the broker keeps them until then, to put the rest back
   * at the head or, should the consumer's process die, all of them.
   */
  record Lease(long id, Peer peer, List<Slice> items) {}

  SharedQueue(String name, int maxSize, boolean joinable) {
    this.name = name;
    this.maxSize = maxSize;
    this.joinable = joinable;
  }

  boolean full() {
    return maxSize > 0 && items.size() >= maxSize;
  }

  /**
   * Whether a get can take the head now. While a run is lent out nobody else takes: the rest of
   * the run may come back to the head, and an item taken meanwhile would overtake it.
   */
  boolean takeable() {
    return !items.isEmpty() && lease == null;
  }

  /** Takes up to {@code max} items from the head, stopping at the one that passes maxBytes. */
  List<Slice> take(int max, long maxBytes) {
    List<Slice> taken = new ArrayList<>();
    long bytes = 0;
    while (taken.size() < max && !items.isEmpty() && bytes < maxBytes) {
      bytes += items.peekFirst().length();
      taken.add(items.pollFirst());
    }
    return taken;
  }

  /** Ends the lease, putting its items after the first {@code used} back at the head in order. */
  void giveBack(int used) {
    List<Slice> run = lease.items();
    for (int i = run.size() - 1; i >= Math.max(0, used); i--) {
      items.addFirst(run.get(i));
    }
    lease = null;
  }

  /** The first parked request that is still waiting, removed from its deque; or null. */
  static Parked next(ArrayDeque<Parked> parked) {
    Parked first = parked.pollFirst();
    while (first != null && first.answered) {
      first = parked.pollFirst();
    }
    return first;
  }
}
