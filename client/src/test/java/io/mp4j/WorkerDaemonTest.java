package io.mp4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mp4j.broker.Broker;
import io.mp4j.broker.BrokerConfig;
import io.mp4j.broker.BrokerStats;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker daemon as an operator runs it, in a JVM of its own: a process of it that dies is
 * reported to the broker at once, and SIGTERM drains it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerDaemonTest {
  private static final String KEY = "daemon-test-key-9e77";
  @TempDir
  Path dir;
  private Broker broker;
  private java.lang.Process daemon;
  private File log;

  @BeforeEach
  void start() throws Exception {
    // A heartbeat timeout far longer than the test waits: only the daemon's report can move
    // the tasks of a dead process in time.
    broker = Broker.start(new BrokerConfig().authkey(KEY.getBytes(StandardCharsets.UTF_8))
        .workerTimeout(Duration.ofSeconds(60)));
    Path keyFile = dir.resolve("authkey");
    Files.writeString(keyFile, KEY + "\n");
    log = dir.resolve("daemon.log").toFile();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    daemon = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "io.mp4j.worker.WorkerMain", "--connect", broker.endpoint(), "--processes", "2",
        "--authkey-file", keyFile.toString(), "--name", "daemon", "--jvm-option=-Xmx40m")
        .redirectErrorStream(true)
        .redirectOutput(log)
        .start();
    await().atMost(Duration.ofSeconds(40)).until(() -> stats().workers() == 2);
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.descendants().forEach(ProcessHandle::destroyForcibly);
      daemon.destroyForcibly();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private BrokerStats stats() {
    return broker.stats(Duration.ofSeconds(5));
  }

  private String daemonLog() throws Exception {
    return Files.readString(log.toPath());
  }

  @Test
  void aProcessThatDies_isReportedToTheBrokerAtOnce() throws Exception {
    try (Pool pool = Pool.connect(broker.endpoint(), KEY)) {
      AsyncResult<List<Integer>> result = pool.mapAsync(Tasks::sleepThenReturn,
          Collections.nCopies(2, 3000), 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> stats().tasksInFlight() == 2);
      ProcessHandle victim = daemon.children().findFirst().orElseThrow();
      long killed = System.nanoTime();
      victim.destroyForcibly();
      await().atMost(Duration.ofSeconds(5)).until(() -> stats().workersLost() == 1);
      System.out.println("the broker lost the killed worker "
          + (System.nanoTime() - killed) / 1_000_000 + " ms after the kill");
      assertEquals(Collections.nCopies(2, 3000), result.get(30, TimeUnit.SECONDS));
      assertTrue(stats().tasksRequeued() >= 1);
    }
  }

  @Test
  void jvmOptions_reachTheWorkerProcesses() {
    try (Pool pool = Pool.connect(broker.endpoint(), KEY)) {
      for (List<Long> heap : pool.map(Tasks::heapMebibytes, List.of(0, 0), 1)) {
        assertTrue(heap.get(1) <= 40, "max heap " + heap.get(1) + " MiB");
      }
    }
  }

  @Test
  void sigterm_drainsTheTasksHeldAndExitsZero() throws Exception {
    try (Pool pool = Pool.connect(broker.endpoint(), KEY)) {
      AsyncResult<List<Integer>> held = pool.mapAsync(Tasks::sleepThenReturn,
          Collections.nCopies(2, 2000), 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> stats().tasksInFlight() == 2);
      long completedBefore = stats().tasksCompleted();
      daemon.destroy(); // SIGTERM
      await().atMost(Duration.ofSeconds(5)).until(() -> daemonLog().contains("draining"));
      AsyncResult<Integer> later = pool.applyAsync(Tasks::square, 7);

      try {
        assertEquals(Collections.nCopies(2, 2000), held.get(30, TimeUnit.SECONDS));
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("the held tasks did not finish; the daemon said:\n"
            + daemonLog(), e);
      }
      assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), daemonLog());
      assertEquals(0, daemon.exitValue(), daemonLog());
      BrokerStats after = stats();
      assertEquals(0, after.workers());
      assertEquals(0, after.tasksRequeued(), "the held tasks finished where they were");
      assertEquals(completedBefore + 2, after.tasksCompleted());
      assertEquals(1, after.queuedTasks(), "a task sent during the drain waits for a worker");
      assertTrue(!later.ready());
    }
  }
}
