package io.mp4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real worker processes dying, hanging, retiring and failing to encode, with a local pool. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProcessFaultTest {

  private static List<Integer> repeat(int value, int times) {
    return IntStream.range(0, times).mapToObj(i -> value).toList();
  }

  @Test
  void workerKilledMidMap_itsTasksRunElsewhereAndAReplacementStarts() throws Exception {
    try (Pool pool = Pool.create(2)) {
      await().atMost(Duration.ofSeconds(30))
          .until(() -> pool.cluster().connectedWorkers() == 2);
      Set<Long> original = new HashSet<>(pool.workerPids());
      List<Integer> input = repeat(100, 40);
      ResultIterator<Integer> results = pool.imap(Tasks::sleepThenReturn, input.iterator());
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        out.add(results.next());
      }
      long victim = original.iterator().next();
      ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
      results.forEachRemaining(out::add);
      assertEquals(input, out);
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerPids().size() == 2
          && !pool.workerPids().contains(victim));
      assertEquals(4, pool.apply(Tasks::square, 2));
    }
  }

  @Test
  void taskThatKillsItsWorker_failsAloneWithWorkerLost_andThePoolGoesOn() {
    try (Pool pool = Pool.create(2)) {
      List<Integer> input = List.of(1, 2, -1, 3, 4);
      // One chunk holding all five calls: after the first death the broker splits it.
      ResultIterator<Integer> results = pool.imap(Tasks::haltOnMinusOne, input.iterator(), 5);
      assertEquals(1, results.next());
      assertEquals(2, results.next());
      WorkerLostException lost = assertThrows(WorkerLostException.class, results::next);
      assertTrue(lost.getMessage().contains("3 workers"), lost.getMessage());
      assertTrue(lost.getMessage().contains("worker-"), lost.getMessage());
      assertTrue(lost.getMessage().contains("exited with code 3"), lost.getMessage());
      assertEquals(3, results.next());
      assertEquals(4, results.next());
      assertEquals(List.of(0, 1, 4), pool.map(Tasks::square, List.of(0, 1, 2)));
    }
  }

  @Test
  void hungWorker_isNoticedByHeartbeatWithinItsTimeout_andItsTaskRunsElsewhere()
      throws Exception {
    try (Pool pool = Pool.builder().processes(2).workerTimeout(Duration.ofSeconds(2)).build()) {
      await().atMost(Duration.ofSeconds(30))
          .until(() -> pool.cluster().connectedWorkers() == 2);
      assertEquals(List.of(0, 1), pool.map(Tasks::square, List.of(0, 1), 1));
      List<Long> pids = pool.workerPids();
      AsyncResult<List<Integer>> slow = pool.mapAsync(Tasks::sleepThenReturn, repeat(1500, 2), 1);
      // Both workers now hold one task each; freeze one of them.
      long frozen = pids.get(0);
      new ProcessBuilder("kill", "-STOP", Long.toString(frozen)).start().waitFor();
      long start = System.nanoTime();
      try {
        assertEquals(repeat(1500, 2), slow.get(20, TimeUnit.SECONDS));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        // 2 s of silence, a heartbeat's slack, then the 1.5 s task again on the other worker.
        assertTrue(seconds <= 7, "took " + seconds + " s to notice the hung worker");
        await().atMost(Duration.ofSeconds(30)).until(() -> !pool.workerPids().contains(frozen)
            && pool.cluster().connectedWorkers() == 2);
      } finally {
        ProcessHandle.of(frozen).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Test
  void taskRunningPastTheWorkerTimeout_keepsItsWorker() {
    try (Pool pool = Pool.builder().processes(1).workerTimeout(Duration.ofSeconds(1)).build()) {
      long pid = pool.apply(Tasks::pid, 0);
      // The worker's I/O thread keeps its heartbeats going while the task thread is busy.
      assertEquals(2500, pool.apply(Tasks::sleepThenReturn, 2500));
      assertEquals(pid, pool.apply(Tasks::pid, 0));
    }
  }

  @Test
  void maxTasksPerChild_replacesWorkerProcesses() {
    try (Pool pool = Pool.builder().processes(2).maxTasksPerChild(2).build()) {
      List<Long> pids = pool.map(Tasks::pid, repeat(0, 12), 1);
      assertTrue(new HashSet<>(pids).size() >= 6, "pids " + pids);
    }
  }

  @Test
  void initializer_runsOnceInEachWorkerBeforeItsFirstTask() {
    try (Pool pool = Pool.builder().processes(2).initializer(Tasks::initialize).build()) {
      assertEquals(repeat(1, 20), pool.map(Tasks::initializedCount, repeat(0, 20), 1));
    }
    try (Pool pool = Pool.builder().processes(2)
        .initializer(Tasks::initializeWith, "hello").build()) {
      assertEquals(List.of("hello", "hello"), pool.map(Tasks::initializedArgument, List.of(0, 0)));
    }
  }

  @Test
  void workerJvms_startOnASmallHeap_unlessTheirOptionsSizeIt() {
    try (Pool pool = Pool.create(1)) {
      assertEquals(64L, pool.apply(Tasks::heapMebibytes, 0).get(0));
    }
    // Started with 64 MB as well, a JVM allowed only 32 MB would refuse to start.
    try (Pool pool = Pool.builder().processes(1).jvmOptions(List.of("-Xmx32m")).build()) {
      assertTrue(pool.apply(Tasks::heapMebibytes, 0).get(1) <= 32);
    }
  }

  @Test
  void poolEnd_leavesNoWorkerProcess() {
    List<Long> pids;
    try (Pool pool = Pool.create(2)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerPids().size() == 2);
      pids = pool.workerPids();
      assertEquals(4, pool.apply(Tasks::square, 2));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> pids.stream()
        .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
  }

  @Test
  void unencodableArgument_failsAtSubmitNamingItsType() {
    try (Pool pool = Pool.create(1)) {
      Task<Object, Object> identity = x -> x;
      EncodingException error = assertThrows(EncodingException.class,
          () -> pool.applyAsync(identity, new Thread()));
      assertTrue(error.getMessage().contains("java.lang.Thread"), error.getMessage());
      assertEquals(4, pool.apply(Tasks::square, 2));
    }
  }

  @Test
  void unencodableCaptures_failAtSubmitSayingWhatToChange() {
    try (Pool pool = Pool.create(1)) {
      Thread thread = new Thread();
      Task<Integer, String> capturing = x -> thread.getName() + x;
      EncodingException lambda = assertThrows(EncodingException.class,
          () -> pool.apply(capturing, 1));
      assertTrue(lambda.getMessage().startsWith("a lambda in io.mp4j.ProcessFaultTest captures"),
          lambda.getMessage());
      assertTrue(lambda.getMessage().contains("java.lang.Thread"), lambda.getMessage());

      EncodingException bound = assertThrows(EncodingException.class,
          () -> pool.apply(new StringBuilder("x")::append, "y"));
      assertTrue(bound.getMessage().startsWith(
          "the method reference java.lang.StringBuilder::append is bound to an object"),
          bound.getMessage());
      assertEquals(4, pool.apply(Tasks::square, 2));
    }
  }

  @Test
  void anonymousTaskClass_failsAtSubmitSayingWhatToChange() {
    try (Pool pool = Pool.create(1)) {
      Task<Integer, Integer> anonymous = new Task<>() {
        @Override
        public Integer apply(Integer x) {
          return x;
        }
      };
      EncodingException error = assertThrows(EncodingException.class,
          () -> pool.apply(anonymous, 1));
      assertTrue(error.getMessage().contains("anonymous"), error.getMessage());
    }
  }

  @Test
  void unencodableResults_failTheirTasks_andTheWorkersLive() throws Exception {
    try (Pool pool = Pool.create(2)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerPids().size() == 2);
      List<Long> pids = pool.workerPids();
      for (int i = 0; i < 20; i++) {
        ExecutionException error = assertThrows(ExecutionException.class,
            () -> pool.applyAsync(Tasks::unencodable, 1).get(30, TimeUnit.SECONDS));
        EncodingException cause = assertInstanceOf(EncodingException.class, error.getCause());
        assertTrue(cause.getMessage().contains("java.lang.Object"), cause.getMessage());
      }
      assertEquals(pids, pool.workerPids());
      assertFalse(pids.isEmpty());
    }
  }
}
