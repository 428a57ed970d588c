package io.mp4j.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.Hello;
import io.mp4j.protocol.MessageType;
import io.mp4j.protocol.ResultFrame;
import io.mp4j.protocol.TaskFrame;
import io.mp4j.protocol.Wire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.msgpack.core.MessageUnpacker;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * The broker's routing and fault handling, driven over real sockets by peers that speak the
 * protocol by hand, with a clock the test advances instead of sleeping.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BrokerLoopTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final ZContext context = new ZContext(1);
  private Broker broker;

  @BeforeEach
  void start() {
    broker = Broker.start(new BrokerConfig().nanoClock(clock::get));
  }

  @AfterEach
  void stop() {
    broker.close();
    context.close();
  }

  private static byte[] task(long taskId, int count) {
    byte[] args = Wire.pack(packer -> {
      packer.packArrayHeader(count);
      for (int i = 0; i < count; i++) {
        packer.packInt(i);
      }
    });
    return new TaskFrame(taskId, 0, count, new byte[] {1, 2, 3}, args).encode();
  }

  private BrokerStats stats() {
    return broker.stats(Duration.ofSeconds(5));
  }

  /** Moves the broker's clock past the worker timeout and waits until it noticed. */
  private void expireWorkers(long lostBefore) {
    clock.addAndGet(Duration.ofSeconds(5).toNanos());
    await().atMost(Duration.ofSeconds(5)).until(() -> stats().workersLost() > lostBefore);
  }

  @Test
  void silentWorker_isRemovedEverywhere_andItsTaskGoesToAnotherWorker() throws Exception {
    RawPeer client = new RawPeer(context, broker.endpoint(), Hello.Role.CLIENT, 1);
    RawPeer first = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 100);
    client.submit(task(7, 1));
    TaskFrame held = first.tasks().get(0);
    long staleKey = first.keys.get(0)[0];
    assertEquals(7, held.taskId());

    expireWorkers(0);
    BrokerStats afterLoss = stats();
    assertEquals(0, afterLoss.workers());
    assertEquals(1, afterLoss.queuedTasks());
    assertEquals(0, afterLoss.tasksInFlight());

    RawPeer second = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 200);
    TaskFrame again = second.tasks().get(0);
    assertEquals(7, again.taskId());
    // The lost worker's late answer is ignored; the new worker's reaches the client.
    first.answer(staleKey, held);
    second.answer(second.keys.get(0)[0], again);
    ResultFrame result = client.result();
    assertEquals(7, result.taskId());
    assertTrue(result.errors().isEmpty());
    client.socket.setReceiveTimeOut(300);
    assertNull(client.receive(MessageType.RESULT));
    assertEquals(1, stats().tasksCompleted());
    client.close();
    first.close();
    second.close();
  }

  @Test
  void taskLostWithSeveralCalls_isSplitIntoSingleCalls() throws Exception {
    RawPeer client = new RawPeer(context, broker.endpoint(), Hello.Role.CLIENT, 1);
    RawPeer first = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 100);
    client.submit(task(9, 3));
    assertEquals(3, first.tasks().get(0).count());
    expireWorkers(0);

    RawPeer second = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 200);
    List<Integer> offsets = new ArrayList<>();
    while (offsets.size() < 3) {
      List<TaskFrame> parts = second.tasks();
      for (int i = 0; i < parts.size(); i++) {
        TaskFrame part = parts.get(i);
        assertEquals(1, part.count());
        offsets.add(part.offset());
        second.answer(second.keys.get(i)[0], part);
      }
    }
    assertEquals(List.of(0, 1, 2), offsets);
    client.close();
    first.close();
    second.close();
  }

  @Test
  void taskLostThreeTimes_failsWithWorkerLost() throws Exception {
    RawPeer client = new RawPeer(context, broker.endpoint(), Hello.Role.CLIENT, 1);
    client.submit(task(11, 1));
    for (int attempt = 0; attempt < 3; attempt++) {
      RawPeer worker = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 100 + attempt);
      assertEquals(11, worker.tasks().get(0).taskId());
      // Keep the client alive while the clock jumps.
      client.send(MessageType.HEARTBEAT);
      expireWorkers(attempt);
      worker.close();
    }
    ResultFrame result = client.result();
    assertEquals(11, result.taskId());
    assertEquals(ErrorCode.WORKER_LOST, result.errors().get(0).code());
    assertTrue(result.errors().get(0).error().message().contains("3 workers"));
    client.close();
  }

  /** Receives TASK messages until the worker holds {@code count} tasks: their frames by key. */
  private static Map<Long, TaskFrame> held(RawPeer worker, int count) throws Exception {
    Map<Long, TaskFrame> held = new LinkedHashMap<>();
    while (held.size() < count) {
      List<TaskFrame> tasks = worker.tasks();
      for (int i = 0; i < tasks.size(); i++) {
        held.put(worker.keys.get(i)[0], tasks.get(i));
      }
    }
    return held;
  }

  private static long keyOf(Map<Long, TaskFrame> held, long taskId) {
    return held.entrySet().stream().filter(e -> e.getValue().taskId() == taskId)
        .findFirst().orElseThrow().getKey();
  }

  @Test
  void idleWorker_takesOverATaskWaitingBehindAnotherWorkersRunningOne() throws Exception {
    RawPeer client = new RawPeer(context, broker.endpoint(), Hello.Role.CLIENT, 1);
    RawPeer busy = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 100);
    client.submit(task(21, 1), task(22, 1));
    Map<Long, TaskFrame> held = held(busy, 2);

    RawPeer idle = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 200);
    List<Long> revoked = busy.revoked();
    assertEquals(List.of(keyOf(held, 22)), revoked);
    busy.release(revoked);
    TaskFrame moved = idle.tasks().get(0);
    assertEquals(22, moved.taskId());

    idle.answer(idle.keys.get(0)[0], moved);
    busy.answer(keyOf(held, 21), held.get(keyOf(held, 21)));
    assertEquals(Set.of(21L, 22L), client.resultIds(2));
    assertEquals(2, stats().tasksCompleted());
    client.close();
    busy.close();
    idle.close();
  }

  @Test
  void taskGivenBack_doesNotCountAgainstItsWorkersTaskLimit() throws Exception {
    RawPeer client = new RawPeer(context, broker.endpoint(), Hello.Role.CLIENT, 1);
    RawPeer limited = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 100, 2);
    client.submit(task(51, 1), task(52, 1));
    Map<Long, TaskFrame> held = held(limited, 2);
    RawPeer idle = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 200);
    limited.release(limited.revoked());
    TaskFrame moved = idle.tasks().get(0);
    idle.answer(idle.keys.get(0)[0], moved);
    idle.send(MessageType.BYE);
    limited.answer(keyOf(held, 51), held.get(keyOf(held, 51)));
    assertEquals(Set.of(51L, 52L), client.resultIds(2));

    // It ran one task of its two: the next is its to run.
    client.submit(task(53, 1));
    assertEquals(53, limited.tasks().get(0).taskId());
    client.close();
    limited.close();
    idle.close();
  }

  @Test
  void revokedTaskThatHadStarted_staysWithItsWorker() throws Exception {
    RawPeer client = new RawPeer(context, broker.endpoint(), Hello.Role.CLIENT, 1);
    RawPeer busy = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 100);
    client.submit(task(31, 1), task(32, 1));
    Map<Long, TaskFrame> held = held(busy, 2);

    RawPeer idle = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 200);
    assertEquals(List.of(keyOf(held, 32)), busy.revoked());
    busy.release(List.of());
    idle.socket.setReceiveTimeOut(300);
    assertNull(idle.receive(MessageType.TASK));

    for (Map.Entry<Long, TaskFrame> task : held.entrySet()) {
      busy.answer(task.getKey(), task.getValue());
    }
    assertEquals(Set.of(31L, 32L), client.resultIds(2));
    assertEquals(0, stats().tasksInFlight());
    client.close();
    busy.close();
    idle.close();
  }

  @Test
  void taskThatTwoWorkersDiedHolding_goesToAnIdleWorkerAlone() throws Exception {
    RawPeer client = new RawPeer(context, broker.endpoint(), Hello.Role.CLIENT, 1);
    client.submit(task(41, 1), task(42, 1));
    for (int lost = 0; lost < 2; lost++) {
      RawPeer worker = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 100 + lost);
      held(worker, 2); // both: until now each could be the one that kills its workers
      client.send(MessageType.HEARTBEAT);
      expireWorkers(lost);
      worker.close();
    }

    RawPeer first = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 200);
    List<TaskFrame> alone = first.tasks();
    assertEquals(1, alone.size());
    first.socket.setReceiveTimeOut(300);
    assertNull(first.receive(MessageType.TASK), "a task joined one that must run alone");
    RawPeer second = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 201);
    List<TaskFrame> other = second.tasks();
    assertEquals(Set.of(41L, 42L), Set.of(alone.get(0).taskId(), other.get(0).taskId()));

    first.answer(first.keys.get(0)[0], alone.get(0));
    second.answer(second.keys.get(0)[0], other.get(0));
    assertEquals(Set.of(41L, 42L), client.resultIds(2));
    client.close();
    first.close();
    second.close();
  }

  @Test
  void twoClients_shareOneWorkerInTurn() throws Exception {
    RawPeer a = new RawPeer(context, broker.endpoint(), Hello.Role.CLIENT, 1);
    RawPeer b = new RawPeer(context, broker.endpoint(), Hello.Role.CLIENT, 2);
    for (int i = 0; i < 4; i++) {
      a.submit(task(100 + i, 1));
      b.submit(task(200 + i, 1));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> stats().queuedTasks() == 8);
    RawPeer worker = new RawPeer(context, broker.endpoint(), Hello.Role.WORKER, 300);
    List<Long> order = new ArrayList<>();
    while (order.size() < 8) {
      List<TaskFrame> tasks = worker.tasks();
      for (int i = 0; i < tasks.size(); i++) {
        order.add(tasks.get(i).taskId() / 100);
        worker.answer(worker.keys.get(i)[0], tasks.get(i));
      }
    }
    // Whichever client's tasks arrived first, the worker's tasks strictly alternate.
    for (int i = 1; i < order.size(); i++) {
      assertTrue(!order.get(i).equals(order.get(i - 1)), "order " + order);
    }
    a.close();
    b.close();
    worker.close();
  }
}
