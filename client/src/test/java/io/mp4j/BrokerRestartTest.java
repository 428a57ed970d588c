package io.mp4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mp4j.broker.Broker;
import io.mp4j.broker.BrokerConfig;
import io.mp4j.worker.WorkerSupervisor;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standalone broker that dies and comes back on the same port: the worker daemon's processes
 * and the client reconnect by themselves; a map in flight completes or fails clearly, and a new
 * map completes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrokerRestartTest {
  private static final String KEY = "restart-test-key-4c1d";

  /** A broker command in a JVM of its own, on the given port. */
  private static java.lang.Process brokerProcess(int port, Path keyFile, Path log)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    java.lang.Process broker = new ProcessBuilder(java, "-cp",
        System.getProperty("java.class.path"), "io.mp4j.broker.BrokerMain",
        "--bind", "tcp://127.0.0.1:" + port, "--authkey-file", keyFile.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> !broker.isAlive()
        || Files.readString(log).contains("listening on"));
    assertTrue(broker.isAlive(), Files.readString(log));
    return broker;
  }

  @Test
  void aBrokerKilledWithSigkill_andStartedAgain_servesTheSameClientAndWorkers(
      @TempDir Path dir) throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort(); // an ephemeral port, picked once and used by both brokers
    }
    String endpoint = "tcp://127.0.0.1:" + port;
    Path keyFile = dir.resolve("authkey");
    Files.writeString(keyFile, KEY);
    byte[] key = KEY.getBytes(StandardCharsets.UTF_8);
    java.lang.Process first = brokerProcess(port, keyFile, dir.resolve("first.log"));
    java.lang.Process second = null;
    try (WorkerSupervisor daemon = new WorkerSupervisor(endpoint, key, "daemon", 0, List.of(),
        false, List.of(), null);
        Pool pool = Pool.connect(endpoint, KEY)) {
      daemon.start(2);
      assertEquals(List.of(1, 4, 9), pool.map(Tasks::square, List.of(1, 2, 3)));
      AsyncResult<List<Integer>> inFlight = pool.mapAsync(Tasks::sleepThenReturn,
          Collections.nCopies(10, 300), 1);

      first.toHandle().destroyForcibly(); // SIGKILL
      assertTrue(first.waitFor(10, TimeUnit.SECONDS));
      second = brokerProcess(port, keyFile, dir.resolve("second.log"));

      try {
        assertEquals(Collections.nCopies(10, 300), inFlight.get(30, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        assertTrue(e.getCause() instanceof BrokerException, "unclear failure: " + e.getCause());
      } catch (java.util.concurrent.TimeoutException e) {
        fail("the map in flight neither completed nor failed within 30 s of the restart");
      }
      List<Integer> numbers = IntStream.range(0, 100).boxed().toList();
      assertEquals(numbers.stream().map(x -> x * x).toList(), pool.map(Tasks::square, numbers));
    } finally {
      first.toHandle().destroyForcibly();
      if (second != null) {
        second.toHandle().destroyForcibly();
      }
    }
  }

  @Test
  void workersAndClientsReconnect_afterABrokerRestart() throws Exception {
    byte[] key = KEY.getBytes(StandardCharsets.UTF_8);
    Broker first = Broker.start(new BrokerConfig().authkey(key));
    String endpoint = first.endpoint();
    Broker second = null;
    try (WorkerSupervisor daemon = new WorkerSupervisor(endpoint, key, "daemon", 0, List.of(),
        false, List.of(), null)) {
      daemon.start(2);
      await().atMost(Duration.ofSeconds(40))
          .until(() -> first.stats(Duration.ofSeconds(5)).workers() == 2);
      try (Pool pool = Pool.connect(endpoint, KEY)) {
        assertEquals(List.of(1, 4, 9), pool.map(Tasks::square, List.of(1, 2, 3)));

        AsyncResult<List<Integer>> inFlight = pool.mapAsync(Tasks::sleepThenReturn,
            Collections.nCopies(20, 200), 1);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> first.stats(Duration.ofSeconds(5)).tasksInFlight() > 0);

        first.close(); // its sockets close at once, as when its process dies
        second = Broker.start(new BrokerConfig().authkey(key).bindAddress(endpoint));
        Broker restarted = second;

        long start = System.nanoTime();
        try {
          assertEquals(Collections.nCopies(20, 200), inFlight.get(30, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          assertTrue(e.getCause() instanceof BrokerException, "unclear failure: " + e.getCause());
          assertTrue(e.getCause().getMessage().contains("lost"), e.getCause().getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
          fail("the map in flight neither completed nor failed within 30 s of the restart");
        }
        System.out.println("map in flight settled " + (System.nanoTime() - start) / 1_000_000
            + " ms after the restart");

        // Work sent before the client has noticed the restart goes to its lost session and
        // fails clearly; the new map goes once the client has a session with the new broker.
        await().atMost(Duration.ofSeconds(30))
            .until(() -> restarted.stats(Duration.ofSeconds(5)).workers() == 2
                && restarted.stats(Duration.ofSeconds(5)).clients() == 1);
        List<Integer> numbers = IntStream.range(0, 100).boxed().toList();
        assertEquals(numbers.stream().map(x -> x * x).toList(),
            pool.map(Tasks::square, numbers));
        assertEquals(1, restarted.stats(Duration.ofSeconds(5)).clients());
      }
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }
}
