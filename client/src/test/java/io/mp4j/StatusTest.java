package io.mp4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mp4j.broker.Broker;
import io.mp4j.broker.BrokerConfig;
import io.mp4j.worker.WorkerSupervisor;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mp4j status} against a standalone broker with two real worker processes: what it
 * reports, that it needs the authkey, and that bad input shows up in it while the broker goes on
 * serving a pool.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StatusTest {
  private static final String KEY = "status-key";
  private Broker broker;
  private WorkerSupervisor workers;
  private Path keyFile;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    keyFile = dir.resolve("authkey");
    Files.writeString(keyFile, KEY + "\n");
    broker = Broker.start(new BrokerConfig().authkey(KEY.getBytes(StandardCharsets.UTF_8)));
    workers = new WorkerSupervisor(broker.endpoint(), KEY.getBytes(StandardCharsets.UTF_8),
        "stat", 0, List.of(), false, List.of(), null);
    workers.start(2);
    await().atMost(Duration.ofSeconds(30))
        .until(() -> broker.stats(Duration.ofSeconds(5)).workers() == 2);
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

  /** Runs {@code mp4j ARGS} in this JVM; returns the exit code, standard output and error. */
  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var commandLine = Mp4jCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  private Map<String, Object> status() {
    return StatusCommand.toMap(StatusCommand.fetch(broker.endpoint(),
        KEY.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)));
  }

  private static long number(Map<String, Object> map, String key) {
    return ((Number) map.get(key)).longValue();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> connections(Map<String, Object> status) {
    return (Map<String, Object>) status.get("connections");
  }

  @Test
  @SuppressWarnings("unchecked")
  void status_showsWorkersByHostTheirLoadQueuesAndRate() throws Exception {
    try (Context context = Context.connect(broker.endpoint(), KEY);
        Pool pool = Pool.connect(broker.endpoint(), KEY)) {
      Queue<String> queue = context.named("jobs").queue(String.class, 10);
      queue.put("a");
      queue.put("b");
      queue.put("c");
      AsyncResult<List<Integer>> running = pool.mapAsync(Tasks::sleepThenReturn,
          Collections.nCopies(400, 20), 1);

      // Each worker holds the task it runs and one waiting behind it, but for a moment as it
      // ends one: wait for a snapshot of both holding two.
      AtomicReference<Map<String, Object>> busy = new AtomicReference<>();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        Map<String, Object> status = status();
        busy.set(status);
        return number(status, "tasksInFlight") == 4 && number(status, "tasksQueued") > 0
            && ((Number) status.get("callsPerSecond")).doubleValue() > 0
            && ((List<Map<String, Object>>) status.get("workers")).stream()
                .allMatch(w -> number(w, "tasksHeld") == 2 && number(w, "callsDone") > 0);
      });
      Map<String, Object> status = busy.get();
      List<Map<String, Object>> listed = (List<Map<String, Object>>) status.get("workers");
      assertEquals(2, listed.size());
      List<Long> pids = new ArrayList<>();
      for (Map<String, Object> worker : listed) {
        assertTrue(String.valueOf(worker.get("name")).startsWith("stat-"), worker.toString());
        pids.add(number(worker, "pid"));
      }
      assertEquals(workers.pids().stream().sorted().toList(), pids.stream().sorted().toList());
      Map<String, Object> jobs = ((List<Map<String, Object>>) status.get("queues")).stream()
          .filter(q -> "jobs".equals(q.get("name"))).findFirst().orElseThrow();
      assertEquals(3, number(jobs, "size"));
      assertEquals(10, number(jobs, "maxSize"));

      String[] result = run("status", "--connect", broker.endpoint(), "--authkey-file",
          keyFile.toString());
      assertEquals("0", result[0], result[2]);
      String text = result[1];
      assertTrue(text.contains("workers: 2 processes on 1 host"), text);
      assertTrue(text.contains("WORKERS BY HOST"), text);
      assertTrue(text.contains(String.valueOf(listed.get(0).get("host")) + ": 2 processes"), text);
      assertTrue(text.contains("stat-1"), text);
      assertTrue(text.contains("in flight"), text);
      assertTrue(text.contains("calls/s"), text);
      assertTrue(text.matches("(?s).*jobs\\s+3 items \\(max 10\\).*"), text);
      assertTrue(text.contains("clients: 2"), text); // the pool and the context, not status
      assertTrue(text.matches("(?s).*client-\\d+\\s+\\d+ tasks queued.*"), text);
      assertTrue(text.contains("wrong or missing authkey:"), text);
      running.toCompletableFuture().cancel(true);
    }
  }

  @Test
  void status_needsTheAuthkey(@TempDir Path dir) throws Exception {
    Path wrong = dir.resolve("wrong");
    Files.writeString(wrong, "not-the-key");
    long before = broker.stats(Duration.ofSeconds(5)).authFailures();
    String[] result = run("status", "--connect", broker.endpoint(), "--authkey-file",
        wrong.toString(), "--timeout-ms", "5000");
    assertEquals("1", result[0]);
    assertTrue(result[2].contains("authkey does not match"), result[2]);
    assertTrue(broker.stats(Duration.ofSeconds(5)).authFailures() >= before + 1);
    assertThrows(AuthenticationException.class, () -> StatusCommand.fetch(broker.endpoint(),
        null, Duration.ofSeconds(5)));
  }

  @Test
  void garbageSilenceAndAWrongKey_areCountedInStatus_whileTheBrokerServes() throws Exception {
    Map<String, Object> before = status();
    String endpoint = broker.endpoint();
    int port = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    byte[] garbage = new byte[4096];
    new Random(1).nextBytes(garbage);
    byte[] noGreeting = garbage.clone();
    noGreeting[0] = (byte) 0xff; // a ZeroMQ greeting starts so; what follows is not one
    noGreeting[9] = 0;
    try (Socket silent = new Socket("127.0.0.1", port)) {
      for (byte[] bytes : List.of(garbage, noGreeting)) {
        try (Socket noisy = new Socket("127.0.0.1", port)) {
          OutputStream out = noisy.getOutputStream();
          out.write(bytes);
          out.flush();
        }
      }
      assertThrows(AuthenticationException.class, () -> Pool.connect(endpoint, "wrong").close());

      // The broker goes on serving the others.
      try (Pool pool = Pool.connect(endpoint, KEY)) {
        assertEquals(List.of(0, 1, 4, 9), pool.map(Tasks::square, List.of(0, 1, 2, 3)));
      }

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        Map<String, Object> now = status();
        // The refused key, and (with CurveZMQ, whose refusals JeroMQ reports only as closed
        // connections) possibly the garbled connections too.
        assertTrue(number(now, "authFailures") >= number(before, "authFailures") + 1,
            now.toString());
        Map<String, Object> was = connections(before);
        Map<String, Object> is = connections(now);
        // Random bytes, a garbled greeting and the silent connection (still open) reached no
        // ZeroMQ 3 handshake. (With CurveZMQ, JeroMQ drops an old-protocol greeting without
        // telling which protocol it took it for, so they are not told apart here.)
        long noHandshakeBefore = number(was, "accepted") - number(was, "handshakes");
        long noHandshakeNow = number(is, "accepted") - number(is, "handshakes");
        assertTrue(noHandshakeNow >= noHandshakeBefore + 3, is.toString());
      });
      String[] result = run("status", "--connect", endpoint, "--authkey-file",
          keyFile.toString());
      assertEquals("0", result[0], result[2]);
      assertTrue(result[1].matches("(?s).*wrong or missing authkey:\\s+[1-9].*"), result[1]);
      assertTrue(result[1].matches("(?s).*garbage greetings \\(not ZeroMQ 3\\):\\s+\\d.*"),
          result[1]);
      assertTrue(result[1].matches("(?s).*connections without a handshake:\\s+[1-9].*"),
          result[1]);
      assertTrue(silent.isConnected());
    }
    assertTrue(broker.isAlive());
  }

  @Test
  void theCommandLine_hasHelpForEachCommand() {
    for (String command : List.of("broker", "worker", "status")) {
      String[] result = run(command, "--help");
      assertEquals("0", result[0], command);
      assertTrue(result[1].startsWith("Usage: mp4j " + command), result[1]);
    }
    String[] result = run("--help");
    assertTrue(result[1].contains("broker") && result[1].contains("worker")
        && result[1].contains("status"), result[1]);
    assertEquals("2", run()[0]);
  }
}
