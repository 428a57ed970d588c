package io.mp4j.broker;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A queue held by the broker: its items as encoded bytes (the broker never decodes them), and
 * the gets, puts and joins parked until they can be answered. Owned by the loop thread.
 */
final class SharedQueue {
  final String name;
  /** The most items it holds; 0 for no limit. */
  final int maxSize;
  final boolean joinable;
  final ArrayDeque<byte[]> items = new ArrayDeque<>();
  final ArrayDeque<Parked> getters = new ArrayDeque<>();
  final ArrayDeque<Parked> putters = new ArrayDeque<>();
  final ArrayDeque<Parked> joiners = new ArrayDeque<>();
  /** Runs of items lent to consumers, by lease id, in the order they were taken. */
  final Map<Long, Lease> leases = new LinkedHashMap<>();
  /** Items put and not yet marked done, for a joinable queue. */
  long unfinished;

  /**
   * A run of items from the head, lent to one consumer, which takes them one by one from its own
   * buffer and then says how many it used; the broker keeps them until then, to put the rest back
   * at the head or, should the consumer's process die, all of them.
   */
  record Lease(Peer peer, List<byte[]> items) {}

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
    return !items.isEmpty() && leases.isEmpty();
  }

  /** Puts a lease's unused items back at the head, in their order. */
  void giveBack(Lease lease, int used) {
    List<byte[]> run = lease.items();
    for (int i = run.size() - 1; i >= Math.max(0, used); i--) {
      items.addFirst(run.get(i));
    }
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
