package io.mp4j.broker;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A worker process as the broker sees it: what it holds and how fast it runs tasks. */
final class Worker extends Peer {
  final String host;
  final long pid;
  /** Tasks it will run before it retires; 0 for no limit. */
  final int taskLimit;
  long dispatched;
  /** Calls whose results it returned, for status. */
  long callsDone;
  /** The tasks it holds, by key, in the order given; change them only through hold/release. */
  final Map<Long, QueuedTask> inFlight = new LinkedHashMap<>();
  /** How many of {@link #inFlight} must have it alone: asked for every dispatch. */
  private int aloneHeld;
  final Set<Long> initializedSessions = new HashSet<>();
  /** Moving average of the time one task takes on this worker, 0 until the first result. */
  double averageTaskNanos;
  /** Whether its daemon is stopping: it finishes what it holds and gets nothing more. */
  boolean draining;
  /** Whether this worker is in the broker's round-robin of workers with spare capacity. */
  boolean scheduled;
  /** The worker asked to give up tasks for this idle one, until it answers; else null. */
  Worker stealingFrom;
  /** Tasks assigned in the current turn, sent together at its end. */
  final List<QueuedTask> outbox = new ArrayList<>();

  Worker(byte[] identity, String name, long now, String host, long pid, int taskLimit) {
    super(identity, name, now);
    this.host = host;
    this.pid = pid;
    this.taskLimit = taskLimit;
  }

  /**
   * How many more tasks it may hold now, given how long its tasks take: one waiting behind the
   * one it runs, however long they are, so that it starts the next at once instead of a round
   * trip later (an idle worker takes a waiting one over; see REVOKE); more when they are short.
   */
  int spareCapacity(long targetBatchNanos, int maxPrefetch) {
    if (draining || runsAlone()) {
      return 0;
    }
    int limit = Math.min(2, maxPrefetch);
    if (averageTaskNanos > 0) {
      limit = (int) Math.max(limit, Math.min(maxPrefetch, targetBatchNanos / averageTaskNanos));
    }
    int spare = limit - inFlight.size();
    if (taskLimit > 0) {
      spare = (int) Math.min(spare, taskLimit - dispatched);
    }
    return spare;
  }

  /** Whether it holds a task that must have it alone. */
  boolean runsAlone() {
    return aloneHeld > 0;
  }

  void hold(QueuedTask task) {
    inFlight.put(task.key, task);
    if (task.alone()) {
      aloneHeld++;
    }
  }

  void release(long key) {
    QueuedTask task = inFlight.remove(key);
    if (task != null && task.alone()) {
      aloneHeld--;
    }
  }

  /**
   * Keys of tasks it holds behind the one it runs that another worker could take over: the
   * later half of them, at least one, none asked for already.
   */
  List<Long> revocable() {
    List<Long> keys = new ArrayList<>();
    boolean first = true;
    for (QueuedTask task : inFlight.values()) {
      if (!first && !task.revoking && !task.alone()) {
        keys.add(task.key);
      }
      first = false;
    }
    return keys.subList(keys.size() / 2, keys.size());
  }

  /** Takes every task it holds, in the order given. */
  List<QueuedTask> releaseAll() {
    List<QueuedTask> held = new ArrayList<>(inFlight.values());
    inFlight.clear();
    aloneHeld = 0;
    return held;
  }


  void recordTaskTime(long nanos) {
    averageTaskNanos = averageTaskNanos <= 0 ? nanos : 0.8 * averageTaskNanos + 0.2 * nanos;
  }

  String describe() {
    return name + " (pid " + pid + " on " + host + ")";
  }
}
