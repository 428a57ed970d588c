package io.mp4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mp4j.broker.Broker;
import io.mp4j.broker.BrokerConfig;
import io.mp4j.worker.WorkerSupervisor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A broker with an authkey over real TCP: CurveZMQ lets in the peers that hold the key, and
 * refuses, logs and counts the others quickly; what travels is encrypted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AuthTest {
  private static final String KEY = "a-long-random-cluster-key-0123456789";
  private Broker broker;
  private WorkerSupervisor workers;

  @BeforeAll
  void start() {
    byte[] key = KEY.getBytes(StandardCharsets.UTF_8);
    broker = Broker.start(new BrokerConfig().authkey(key));
    workers = new WorkerSupervisor(broker.endpoint(), key, "curve", 0, List.of(), false,
        List.of(), null);
    workers.start(2);
    await().atMost(Duration.ofSeconds(40)).until(() -> workers() == 2);
  }

  @AfterAll
  void stop() {
    if (workers != null) {
      workers.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private int workers() {
    return broker.stats(Duration.ofSeconds(5)).workers();
  }

  private long authFailures() {
    return broker.stats(Duration.ofSeconds(5)).authFailures();
  }

  private int port() {
    String endpoint = broker.endpoint();
    return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
  }

  @Test
  void rightKey_mapRunsOnTheBrokersWorkers() {
    // The map's results are the proof that the key was taken. The refusal counter is not
    // compared here: connections that other tests of this class left (a silent one is closed
    // by the handshake limit later) may be counted while this test runs.
    try (Pool pool = Pool.connect(broker.endpoint(), KEY)) {
      List<Integer> numbers = java.util.stream.IntStream.range(0, 200).boxed().toList();
      List<Integer> squares = pool.map(Tasks::square, numbers);
      assertEquals(numbers.stream().map(x -> x * x).toList(), squares);
    }
  }

  @Test
  void wrongKey_isRefusedQuicklyWithAClearException() {
    long before = authFailures();
    long start = System.nanoTime();
    AuthenticationException e = assertThrows(AuthenticationException.class,
        () -> Pool.connect(broker.endpoint(), "not-the-key").close());
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 5000, "refused after " + millis + " ms");
    assertTrue(e.getMessage().contains("authkey"), e.getMessage());
    // The peer tries twice before it gives up; the broker counts each refused connection.
    await().atMost(Duration.ofSeconds(5)).until(() -> authFailures() >= before + 2);
  }

  @Test
  void noKey_isRefusedQuicklyWithAClearException() {
    long before = authFailures();
    long start = System.nanoTime();
    AuthenticationException e = assertThrows(AuthenticationException.class,
        () -> Pool.connect(broker.endpoint(), null).close());
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 5000, "refused after " + millis + " ms");
    assertTrue(e.getMessage().contains("authkey"), e.getMessage());
    // The peer tries twice before it gives up; the broker counts each refused connection.
    await().atMost(Duration.ofSeconds(5)).until(() -> authFailures() >= before + 2);
  }

  @Test
  void workerWithAWrongKey_exitsAndNeverServes() throws Exception {
    long before = authFailures();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "io.mp4j.worker.WorkerChild", "connect=" + broker.endpoint(), "name=intruder")
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put(WorkerSupervisor.AUTHKEY_ENV, "not-the-key");
    java.lang.Process intruder = builder.start();
    try {
      assertTrue(intruder.waitFor(30, TimeUnit.SECONDS), "the worker did not give up");
      assertEquals(2, intruder.exitValue());
      assertEquals(2, workers());
      await().atMost(Duration.ofSeconds(5)).until(() -> authFailures() >= before + 2);
    } finally {
      intruder.destroyForcibly();
    }
  }

  @Test
  void garbageAndSilentConnections_leaveTheBrokerServing() throws Exception {
    long before = authFailures();
    try (java.net.Socket silent = new java.net.Socket("127.0.0.1", port());
        java.net.Socket garbage = new java.net.Socket("127.0.0.1", port())) {
      byte[] junk = new byte[4096];
      new java.util.Random(5).nextBytes(junk);
      garbage.getOutputStream().write(junk);
      garbage.getOutputStream().flush();
      // The broker drops the garbage connection; reading sees it closed.
      garbage.setSoTimeout(10_000);
      try {
        while (garbage.getInputStream().read(junk) > 0) {
          // What the broker sent before it closed: its greeting.
        }
      } catch (java.net.SocketException e) {
        // Reset rather than closed: dropped all the same.
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> authFailures() > before);
      try (Pool pool = Pool.connect(broker.endpoint(), KEY)) {
        assertEquals(List.of(4, 9), pool.map(Tasks::square, List.of(2, 3)));
      }
      assertTrue(silent.isConnected());
    }
    // The silent one counts once it closes; counted here, it cannot blur another test's count.
    await().atMost(Duration.ofSeconds(5)).until(() -> authFailures() >= before + 2);
  }

  @Test
  void traffic_isEncrypted() throws Exception {
    String secret = "plain-text-marker-7f3a9c";
    try (TcpProxy proxy = new TcpProxy(port());
        Pool pool = Pool.connect(proxy.endpoint(), KEY)) {
      assertEquals(List.of(secret.toUpperCase()), pool.map(Tasks::upper, List.of(secret)));
      byte[] seen = proxy.seen();
      assertTrue(seen.length > 200, "the proxy relayed " + seen.length + " bytes");
      assertFalse(TcpProxy.contains(seen, secret.getBytes(StandardCharsets.UTF_8)),
          "the task argument crossed the network in clear");
      assertFalse(TcpProxy.contains(seen, secret.toUpperCase().getBytes(StandardCharsets.UTF_8)),
          "the result crossed the network in clear");
      assertFalse(TcpProxy.contains(seen, KEY.getBytes(StandardCharsets.UTF_8)),
          "the authkey crossed the network in clear");
    }
  }

  @Test
  void withoutAKey_theSameProxySeesTheArgument() throws Exception {
    // The control for traffic_isEncrypted: the proxy does see plain traffic.
    String secret = "plain-text-marker-5b21e0";
    try (Broker plain = Broker.start(new BrokerConfig());
        WorkerSupervisor plainWorkers = new WorkerSupervisor(plain.endpoint(), null, "plain", 0,
            List.of(), false, List.of(), null)) {
      plainWorkers.start(1);
      String endpoint = plain.endpoint();
      try (TcpProxy proxy = new TcpProxy(
              Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1)));
          Pool pool = Pool.connect(proxy.endpoint(), null)) {
        assertEquals(List.of(secret.toUpperCase()), pool.map(Tasks::upper, List.of(secret)));
        assertTrue(TcpProxy.contains(proxy.seen(), secret.getBytes(StandardCharsets.UTF_8)));
      }
    }
  }
}
