package io.mp4j.broker;

import java.util.ArrayDeque;

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
  /** Items put and not yet marked done, for a joinable queue. */
  long unfinished;

  SharedQueue(String name, int maxSize, boolean joinable) {
    this.name = name;
    this.maxSize = maxSize;
    this.joinable = joinable;
  }

  boolean full() {
    return maxSize > 0 && items.size() >= maxSize;
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
