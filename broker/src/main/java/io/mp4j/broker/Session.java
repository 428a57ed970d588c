package io.mp4j.broker;

import io.mp4j.protocol.Slice;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** A client's session: its queue of tasks and the results waiting to be sent to it. */
final class Session extends Peer {
  final long id;
  /** The encoded initializer task frame, run once per worker before this session's tasks. */
  final byte[] initializer;
  final ArrayDeque<QueuedTask> pending = new ArrayDeque<>();
  /** Whether this session is in the broker's round-robin of sessions with pending tasks. */
  boolean scheduled;
  /**
   * Result frames to send at the end of the current turn, slices of the RESULT messages they
   * came in.
   */
  final List<Slice> outbox = new ArrayList<>();
  boolean closed;

  Session(byte[] identity, String name, long now, long id, byte[] initializer) {
    super(identity, name, now);
    this.id = id;
    this.initializer = initializer;
  }
}
