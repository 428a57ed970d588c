package io.mp4j.broker;

import io.mp4j.protocol.Wire;
import java.io.IOException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;

/**
 * The answer to a {@code broker.status} request, as one msgpack map with string keys (see
 * docs/protocol.md): a map rather than an array so that a newer broker can add keys without
 * breaking an older {@code mp4j status}.
 */
final class BrokerStatus {
  /** The REQUEST operation that asks for it. */
  static final String OP = "broker.status";

  private BrokerStatus() {}

  static byte[] encode(BrokerStats stats, List<Worker> workers, List<Session> sessions,
      SharedState shared, long callsCompleted, double callsPerSecond, long uptimeMillis,
      boolean authkey, ConnectionMonitor connections) {
    workers.sort(Comparator.comparing((Worker w) -> w.host).thenComparing(w -> w.name)
        .thenComparingLong(w -> w.pid));
    return Wire.pack(1024 + 128 * workers.size(), packer -> {
      packer.packMapHeader(17);
      entry(packer, "uptimeMillis", uptimeMillis);
      packer.packString("authkey");
      packer.packBoolean(authkey);
      packer.packString("workers");
      packer.packArrayHeader(workers.size());
      for (Worker worker : workers) {
        long callsHeld = 0;
        for (QueuedTask task : worker.inFlight.values()) {
          callsHeld += task.count;
        }
        packer.packMapHeader(6);
        entry(packer, "host", worker.host);
        entry(packer, "name", worker.name);
        entry(packer, "pid", worker.pid);
        entry(packer, "tasksHeld", worker.inFlight.size());
        entry(packer, "callsHeld", callsHeld);
        entry(packer, "callsDone", worker.callsDone);
      }
      packer.packString("clients");
      packer.packArrayHeader(sessions.size());
      for (Session session : sessions) {
        long callsQueued = 0;
        for (QueuedTask task : session.pending) {
          callsQueued += task.count;
        }
        packer.packMapHeader(3);
        entry(packer, "name", session.name);
        entry(packer, "tasksQueued", session.pending.size());
        entry(packer, "callsQueued", callsQueued);
      }
      Collection<SharedQueue> queues = shared.queues();
      packer.packString("queues");
      packer.packArrayHeader(queues.size());
      for (SharedQueue queue : queues) {
        packer.packMapHeader(5);
        entry(packer, "name", queue.name);
        entry(packer, "size", queue.items.size());
        entry(packer, "maxSize", queue.maxSize);
        packer.packString("joinable");
        packer.packBoolean(queue.joinable);
        entry(packer, "waitingGets", queue.getters.size());
      }
      entry(packer, "tasksQueued", stats.queuedTasks());
      entry(packer, "tasksInFlight", stats.tasksInFlight());
      entry(packer, "tasksCompleted", stats.tasksCompleted());
      entry(packer, "callsCompleted", callsCompleted);
      packer.packString("callsPerSecond");
      packer.packDouble(callsPerSecond);
      entry(packer, "tasksRequeued", stats.tasksRequeued());
      entry(packer, "workersLost", stats.workersLost());
      entry(packer, "authFailures", stats.authFailures());
      entry(packer, "malformedDropped", stats.malformedDropped());
      entry(packer, "oversizedDropped", stats.oversizedDropped());
      entry(packer, "unknownTypeDropped", stats.unknownTypeDropped());
      packer.packString("connections");
      packer.packMapHeader(4);
      entry(packer, "accepted", connections.accepted);
      entry(packer, "closed", connections.closed);
      entry(packer, "handshakes", connections.handshakes);
      entry(packer, "foreignGreetings", connections.foreignGreetings);
    });
  }

  private static void entry(MessageBufferPacker packer, String key, long value)
      throws IOException {
    packer.packString(key);
    packer.packLong(value);
  }

  private static void entry(MessageBufferPacker packer, String key, String value)
      throws IOException {
    packer.packString(key);
    Wire.packNullableString(packer, value);
  }
}
