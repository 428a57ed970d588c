package io.mp4j.broker;

import io.mp4j.protocol.Slice;

/** A task the broker holds for a client: waiting in its session's queue or held by a worker. */
final class QueuedTask {
  final Session session;
  /** The task frame, a slice of the SUBMIT message it came in. */
  final Slice frame;
  final long taskId;
  final int offset;
  final int count;
  /** Whether it needs a worker of its own and must not run twice (a Process). */
  final boolean exclusive;
  /** Workers that were lost while holding this task. */
  int attempts;
  /** The broker's number for this task while a worker holds it; 0 while queued. */
  long key;
  Worker worker;
  /** Whether its worker was asked to give it up for an idle one, and has not answered. */
  boolean revoking;

  QueuedTask(Session session, Slice frame, long taskId, int offset, int count, int attempts,
      boolean exclusive) {
    this.session = session;
    this.exclusive = exclusive;
    this.frame = frame;
    this.taskId = taskId;
    this.offset = offset;
    this.count = count;
    this.attempts = attempts;
  }

  /**
   * Whether it must have a worker to itself: a Process, or a task two workers died holding, so
   * that the task that kills its workers does not take others down with it.
   */
  boolean alone() {
    return exclusive || attempts >= 2;
  }
}
