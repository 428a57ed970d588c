package io.mp4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A whole client JVM: what its tasks print reaches its console, and it leaves no orphans. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClientExitTest {
  @TempDir
  Path dir;

  private java.lang.Process startClient(String mode, File output) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        ClientProcessMain.class.getName(), mode)
        .redirectErrorStream(true)
        .redirectOutput(output)
        .start();
  }

  private static List<Long> workerPids(File output) throws IOException {
    for (String line : Files.readAllLines(output.toPath())) {
      if (line.startsWith("PIDS ")) {
        return Arrays.stream(line.substring(5).split(",")).map(Long::parseLong).toList();
      }
    }
    return List.of();
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private void check(String mode, boolean kill) throws Exception {
    File output = dir.resolve(mode + ".log").toFile();
    java.lang.Process client = startClient(mode, output);
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> !workerPids(output).isEmpty()
          || !client.isAlive());
      List<Long> pids = workerPids(output);
      String log = Files.readString(output.toPath());
      assertTrue(pids.size() == 2, log);
      assertTrue(log.contains("marker-from-task\n"), log);
      assertTrue(log.contains("marker-from-task-err"), log);
      if (kill) {
        client.destroyForcibly();
      }
      assertTrue(client.waitFor(30, TimeUnit.SECONDS));
      await().atMost(Duration.ofSeconds(10)).until(() -> pids.stream().noneMatch(
          ClientExitTest::alive));
    } finally {
      client.destroyForcibly();
      for (Long pid : workerPids(output)) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Test
  void clientExits_itsWorkersExitAndTheirOutputReachedItsConsole() throws Exception {
    check("exit", false);
  }

  @Test
  void clientKilledWithSigkill_itsWorkersExitWithinSeconds() throws Exception {
    check("wait", true);
  }
}
