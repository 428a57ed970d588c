package io.mp4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mp4j.broker.Broker;
import io.mp4j.broker.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a task prints on a worker daemon's process reaches the console of the client that sent
 * it, once, each line after the worker's host and pid, before the task's result.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemoteOutputTest {
  private static final String KEY = "output-test-key-31aa";
  @TempDir
  Path dir;

  @Test
  void whatATaskPrints_reachesTheClientsConsoleWithHostAndPid() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    Path keyFile = dir.resolve("authkey");
    Files.writeString(keyFile, KEY);
    Path daemonLog = dir.resolve("daemon.log");
    Path clientOut = dir.resolve("client.out");
    Path clientErr = dir.resolve("client.err");
    java.lang.Process daemon = null;
    java.lang.Process client = null;
    try (Broker broker = Broker.start(new BrokerConfig()
        .authkey(KEY.getBytes(StandardCharsets.UTF_8)))) {
      daemon = new ProcessBuilder(java, "-cp", classpath, "io.mp4j.worker.WorkerMain",
          "--connect", broker.endpoint(), "--processes", "2", "--authkey-file",
          keyFile.toString())
          .redirectErrorStream(true).redirectOutput(daemonLog.toFile()).start();
      await().atMost(Duration.ofSeconds(40))
          .until(() -> broker.stats(Duration.ofSeconds(5)).workers() == 2);
      Set<Long> workerPids = daemon.children().map(ProcessHandle::pid)
          .collect(Collectors.toSet());

      client = new ProcessBuilder(java, "-cp", classpath, RemoteOutputMain.class.getName(),
          broker.endpoint(), KEY)
          .redirectOutput(clientOut.toFile()).redirectError(clientErr.toFile()).start();
      assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the client did not finish");
      String out = Files.readString(clientOut);
      String err = Files.readString(clientErr);
      assertEquals(0, client.exitValue(), out + err);

      List<String> lines = out.lines().toList();
      Pattern prefixed = Pattern.compile("\\[([^:\\]]+):(\\d+)\\] (remote-marker-[ab])");
      int done = lines.indexOf("DONE");
      for (String marker : List.of("remote-marker-a", "remote-marker-b")) {
        List<String> found = lines.stream().filter(line -> line.endsWith("] " + marker))
            .toList();
        assertEquals(1, found.size(), "printed once on the client: " + out);
        Matcher match = prefixed.matcher(found.get(0));
        assertTrue(match.matches(), found.get(0));
        assertTrue(workerPids.contains(Long.parseLong(match.group(2))),
            "pid " + match.group(2) + " is one of the daemon's " + workerPids);
        assertTrue(lines.indexOf(found.get(0)) < done, "the output came before the result");
        assertTrue(err.lines().anyMatch(line -> line.equals("[" + match.group(1) + ":"
            + match.group(2) + "] " + marker + "-err")), "standard error: " + err);
      }
      String longLine = lines.stream().filter(line -> line.contains("long-line-")).findFirst()
          .orElseThrow(() -> new AssertionError("no long line in " + out));
      assertTrue(longLine.length() < 8 * 1024 + 200, "a line is cut at 8 KiB");
      assertTrue(longLine.endsWith("[mp4j: line cut at 8192 bytes]"), longLine);
      // The worker host's own console has it too, without a prefix.
      assertTrue(Files.readString(daemonLog).lines().anyMatch(line ->
          line.equals("remote-marker-a")));
    } finally {
      if (client != null) {
        client.destroyForcibly();
      }
      if (daemon != null) {
        daemon.descendants().forEach(ProcessHandle::destroyForcibly);
        daemon.destroyForcibly();
      }
    }
  }
}
