package io.mp4j.broker;

import io.mp4j.protocol.Slice;

/**
 * A request that waits in the broker (a get on an empty queue, a put on a full one, a join) until
 * it can be answered or its deadline passes. Answered requests stay in their deques until they
 * reach the front, marked, rather than being searched for.
 */
final class Parked {
  /** What the request waits for. */
  enum Kind { GET, GET_MANY, LEASE, PUT, JOIN }

  final Kind kind;
  final Peer peer;
  final long requestId;
  /** The monotonic time after which it is answered with a timeout; Long.MAX_VALUE for never. */
  final long deadline;
  final SharedQueue queue;
  /** The item a parked put carries; null for other requests. */
  final Slice item;
  /** The most items a parked GET_MANY or LEASE takes; 1 for other requests. */
  final int most;
  boolean answered;

  Parked(Kind kind, Peer peer, long requestId, long deadline, SharedQueue queue, Slice item,
      int most) {
    this.kind = kind;
    this.most = most;
    this.peer = peer;
    this.requestId = requestId;
    this.deadline = deadline;
    this.queue = queue;
    this.item = item;
  }
}
