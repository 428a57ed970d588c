package io.mp4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mp4j.broker.Broker;
import io.mp4j.broker.BrokerConfig;
import io.mp4j.worker.WorkerSupervisor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a standalone broker shares its real worker processes: with a worker host that joins late,
 * between two clients, and with workers that allow only some packages.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterSchedulingTest {
  private static final String KEY = "cluster-ops-key";
  private static final byte[] KEY_BYTES = KEY.getBytes(StandardCharsets.UTF_8);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  private Broker broker() {
    return closeLater(Broker.start(new BrokerConfig().authkey(KEY_BYTES)));
  }

  private WorkerSupervisor workers(Broker broker, String name, int count, List<String> allowed) {
    WorkerSupervisor supervisor = closeLater(new WorkerSupervisor(broker.endpoint(), KEY_BYTES,
        name, 0, allowed, false, List.of(), null));
    supervisor.start(count);
    return supervisor;
  }

  private static void awaitWorkers(Broker broker, int count) {
    await().atMost(Duration.ofSeconds(30))
        .until(() -> broker.stats(Duration.ofSeconds(5)).workers() == count);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> workersNamed(ClientConnection status, String prefix) {
    Map<String, Object> map = StatusCommand.toMap(StatusCommand.fetch(status,
        Duration.ofSeconds(5)));
    List<Map<String, Object>> found = new ArrayList<>();
    for (Map<String, Object> worker : (List<Map<String, Object>>) map.get("workers")) {
      if (String.valueOf(worker.get("name")).startsWith(prefix)) {
        found.add(worker);
      }
    }
    return found;
  }

  private static long busy(Map<String, Object> worker) {
    return ((Number) worker.get("tasksHeld")).longValue()
        + ((Number) worker.get("callsDone")).longValue();
  }

  @Test
  void aWorkerThatJoinsMidMap_getsWorkWithinASecond() {
    Broker broker = broker();
    workers(broker, "early", 1, List.of());
    awaitWorkers(broker, 1);
    ClientConnection status = closeLater(StatusCommand.connect(broker.endpoint(), KEY_BYTES,
        Duration.ofSeconds(10)));
    Pool pool = closeLater(Pool.connect(broker.endpoint(), KEY));
    // One call per task, 20 ms each: about 10 s of work for one process.
    AsyncResult<List<Integer>> map = pool.mapAsync(Tasks::sleepThenReturn,
        Collections.nCopies(500, 20), 1);
    await().atMost(Duration.ofSeconds(20))
        .until(() -> workersNamed(status, "early").stream().anyMatch(w -> busy(w) > 0));

    workers(broker, "late", 1, List.of());
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
        .until(() -> !workersNamed(status, "late").isEmpty());
    long joinedSeen = System.nanoTime();
    await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
        .until(() -> workersNamed(status, "late").stream().anyMatch(w -> busy(w) > 0));
    long millis = (System.nanoTime() - joinedSeen) / 1_000_000;
    System.out.println("the late worker had work " + millis + " ms after status listed it");
    assertTrue(millis < 1000, "the late worker got its first task " + millis + " ms after it"
        + " joined");
    assertTrue(!map.ready(), "the map should still be running");
    pool.terminate();
  }

  @Test
  void aShortTask_doesNotWaitBehindALongOne_whileAnotherWorkerIsIdle() {
    Broker broker = broker();
    workers(broker, "pair", 2, List.of());
    awaitWorkers(broker, 2);
    Pool pool = closeLater(Pool.connect(broker.endpoint(), KEY));
    // Each worker is given a task to wait behind the one it runs: one of the short tasks waits
    // behind the long one until the other worker, done with its short ones, takes it over.
    List<Long> pids = pool.map(Tasks::sleepThenPid, List.of(3000, 1, 1, 1), 1);
    long longOne = pids.get(0);
    assertTrue(pids.subList(1, 4).stream().noneMatch(pid -> pid == longOne),
        "a short task ran after the long one on its worker: pids " + pids);
  }

  @Test
  void twoClientsOnOneBroker_eachGetAFairShareOfTheWorkers() throws Exception {
    Broker broker = broker();
    workers(broker, "shared", 2, List.of());
    awaitWorkers(broker, 2);
    Pool first = closeLater(Pool.connect(broker.endpoint(), KEY));
    Pool second = closeLater(Pool.connect(broker.endpoint(), KEY));
    int calls = 300;
    AtomicInteger firstDone = new AtomicInteger();
    AtomicInteger secondDone = new AtomicInteger();
    Thread a = drain(first, calls, firstDone);
    Thread b = drain(second, calls, secondDone);
    // Halfway through the work of both together, each has had a comparable share.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
        .until(() -> firstDone.get() + secondDone.get() >= calls);
    int x = firstDone.get();
    int y = secondDone.get();
    double ratio = Math.min(x, y) / (double) Math.max(x, y);
    System.out.println("halfway, the two clients had " + x + " and " + y + " calls done");
    assertTrue(ratio >= 0.5, "unfair shares halfway: " + x + " and " + y + " calls");
    a.join(60_000);
    b.join(60_000);
    assertEquals(calls, firstDone.get());
    assertEquals(calls, secondDone.get());
  }

  /** Maps {@code calls} short calls in a thread of its own, counting results as they come. */
  private static Thread drain(Pool pool, int calls, AtomicInteger done) {
    ResultIterator<Integer> results = pool.imapUnordered(Tasks::sleepThenReturn,
        Collections.nCopies(calls, 5).iterator(), 1);
    Thread thread = new Thread(() -> {
      while (results.hasNext()) {
        results.next();
        done.incrementAndGet();
      }
    }, "drain");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  @Test
  void aTaskOutsideTheAllowedPackages_isRefusedWithAClearError() {
    Broker broker = broker();
    workers(broker, "strict", 1, List.of("com.example.allowed"));
    awaitWorkers(broker, 1);
    Pool pool = closeLater(Pool.connect(broker.endpoint(), KEY));
    TaskNotFoundException refused = assertThrows(TaskNotFoundException.class,
        () -> pool.map(Tasks::square, List.of(1, 2, 3)));
    String message = refused.getMessage();
    assertTrue(message.contains("io.mp4j.Tasks"), message);
    assertTrue(message.contains("runs only tasks from packages [com.example.allowed]"), message);
    // The worker refused the task without dying: it is still there.
    assertEquals(1, broker.stats(Duration.ofSeconds(5)).workers());
    assertEquals(0, broker.stats(Duration.ofSeconds(5)).workersLost());
  }
}
