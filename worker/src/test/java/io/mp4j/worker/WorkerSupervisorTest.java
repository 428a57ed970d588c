package io.mp4j.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real worker JVMs started, killed, replaced and cleaned up by the supervisor. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerSupervisorTest {

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** An address where nothing answers: a port that was free a moment ago. */
  private static String silentAddress() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "tcp://127.0.0.1:" + socket.getLocalPort();
    }
  }

  @Test
  void workerJvms_areToldThisJvmsSelectorProvider_soTheyNeedNotSearchTheClasspathForOne() {
    assertEquals(List.of("-Djava.nio.channels.spi.SelectorProvider="
            + java.nio.channels.spi.SelectorProvider.provider().getClass().getName()),
        WorkerSupervisor.selectorProviderOptions());
  }

  @Test
  void workerJvms_startOnA64MbHeap_unlessTheirOptionsSizeTheHeap() {
    assertEquals(List.of("-Xms64m"), WorkerSupervisor.initialHeapOptions(List.of()));
    assertEquals(List.of("-Xms64m"),
        WorkerSupervisor.initialHeapOptions(List.of("-Xmixed", "-Dmp4j.example=1")));
    for (String sizing : List.of("-Xmx2g", "-Xms1g", "-Xmn256m", "-XX:MaxHeapSize=2g",
        "-XX:InitialRAMPercentage=10", "-XX:MaxNewSize=1g", "-XX:MaxRAM=8g")) {
      assertEquals(List.of(), WorkerSupervisor.initialHeapOptions(List.of(sizing)), sizing);
    }
  }

  @Test
  void killedWorker_isReportedAndReplaced_andCloseLeavesNoProcess() throws Exception {
    Map<Long, String> exits = new ConcurrentHashMap<>();
    WorkerSupervisor supervisor = new WorkerSupervisor(silentAddress(), null, "w", 0, List.of(),
        false, List.of(), exits::put);
    List<Long> seen;
    try {
      supervisor.start(2);
      assertEquals(2, supervisor.pids().size());
      long victim = supervisor.pids().get(0);
      ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
      await().atMost(Duration.ofSeconds(20)).until(() -> exits.containsKey(victim)
          && supervisor.pids().size() == 2 && !supervisor.pids().contains(victim));
      assertTrue(exits.get(victim).contains("SIGKILL"), exits.get(victim));
      seen = supervisor.pids();
    } finally {
      supervisor.close();
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> seen.stream().noneMatch(WorkerSupervisorTest::alive));
  }

  @Test
  void workerThatNeverReachesTheBroker_isKilledAfterTheStartTimeoutAndReplaced()
      throws Exception {
    WorkerSupervisor supervisor = new WorkerSupervisor(silentAddress(), null, "w", 0, List.of(),
        false, List.of(), null);
    try {
      supervisor.startTimeout(Duration.ofMillis(1500));
      supervisor.start(1);
      long first = supervisor.pids().get(0);
      await().atMost(Duration.ofSeconds(20)).until(() -> !alive(first)
          && supervisor.pids().size() == 1 && !supervisor.pids().contains(first));
    } finally {
      supervisor.close();
    }
  }
}
