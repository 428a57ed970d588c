package io.mp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Processes of a local context: lifecycle, exit codes, signals, and queues between them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProcessTest {
  private Context context;

  @BeforeAll
  void start() {
    context = Context.local();
  }

  @AfterAll
  void stop() {
    if (context != null) {
      context.close();
    }
  }

  @Test
  void processThatReturns_exitsWithZero_inAnotherProcess() throws Exception {
    Queue<String> names = context.queue(String.class);
    Process process = context.process(Tasks::reportName, names).name("reporter");
    assertNull(process.exitCode());
    assertFalse(process.isAlive());
    assertThrows(IllegalStateException.class, process::join);
    process.start();
    assertThrows(IllegalStateException.class, process::start);
    long pid = process.pid();
    assertTrue(pid > 0 && pid != ProcessHandle.current().pid(), "pid " + pid);
    process.join();
    assertEquals(0, process.exitCode());
    assertFalse(process.isAlive());
    assertEquals("reporter@" + pid, names.take());
    assertEquals("MainProcess", Process.currentName());
  }

  @Test
  void voidTargets_ofEveryArity_runAndExitWithZero() throws Exception {
    Queue<String> out = context.queue(String.class);
    String greeting = "hi";
    List<Process> processes = List.of(
        context.process(() -> out.put(greeting)),
        context.process(Tasks::putTwice, out, "two"),
        context.process(Tasks::putJoined, out, "three", 3),
        context.process((Queue<String> q) -> {
          q.put("block");
        }, out));
    for (Process process : processes) {
      process.start();
    }
    for (Process process : processes) {
      assertTrue(process.join(30, TimeUnit.SECONDS));
      assertEquals(0, process.exitCode());
    }
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      items.add(out.take());
    }
    Collections.sort(items);
    assertEquals(List.of("block", "hi", "three3", "two", "two"), items);
  }

  @Test
  void exitCodes_followPython() throws Exception {
    Process failing = context.process(Tasks::failInProcess);
    Process exiting = context.process(Tasks::exitWith, 3);
    failing.start();
    exiting.start();
    assertTrue(failing.join(30, TimeUnit.SECONDS));
    assertTrue(exiting.join(30, TimeUnit.SECONDS));
    assertEquals(1, failing.exitCode());
    assertEquals(3, exiting.exitCode());
  }

  @Test
  void terminateAndKill_endTheProcessWithNegativeSignals() throws Exception {
    Process terminated = context.process(Tasks::sleepThenReturn, 60_000);
    Process killed = context.process(Tasks::sleepThenReturn, 60_000);
    terminated.start();
    killed.start();
    long first = terminated.pid();
    long second = killed.pid();
    assertTrue(first != second);
    long start = System.nanoTime();
    terminated.terminate();
    killed.kill();
    assertTrue(terminated.join(20, TimeUnit.SECONDS));
    assertTrue(killed.join(20, TimeUnit.SECONDS));
    assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 20);
    assertEquals(-15, terminated.exitCode());
    assertEquals(-9, killed.exitCode());
    assertFalse(terminated.isAlive());
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> ProcessHandle.of(first).isEmpty() && ProcessHandle.of(second).isEmpty()
            || !ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  void processWhoseWorkerDies_reportsANegativeExitCode_andJoinReturns() throws Exception {
    Process process = context.process(Tasks::sleepThenReturn, 60_000);
    process.start();
    long pid = process.pid();
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    assertTrue(process.join(20, TimeUnit.SECONDS));
    assertEquals(-9, process.exitCode());
  }

  @Test
  void producersAndConsumers_shareQueuesWithAPoisonPill() throws Exception {
    Queue<Integer> work = context.queue(Integer.class, 50);
    Queue<Integer> sums = context.queue(Integer.class);
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      processes.add(context.process(Tasks::produceUntilPill, work, 100));
    }
    for (int i = 0; i < 2; i++) {
      processes.add(context.process(Tasks::sumUntilPill, work, sums));
    }
    processes.forEach(Process::start);
    processes.get(0).join();
    processes.get(1).join();
    work.put(-1);
    work.put(-1);
    processes.get(2).join();
    processes.get(3).join();
    assertEquals(2 * 5050, sums.take() + sums.take());
    for (Process process : processes) {
      assertEquals(0, process.exitCode(), process.toString());
    }
    assertTrue(context.activeChildren().isEmpty());
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void manyStartJoinCycles_leaveNoThreadsOrProcessesBehind() throws Exception {
    for (int i = 0; i < 20; i++) {
      Process warm = context.process(Tasks::nothing);
      warm.start();
      warm.join();
    }
    int threadsBefore = Thread.activeCount();
    int queuesBefore = context.cluster().broker().stats(java.time.Duration.ofSeconds(5)).queues();
    for (int i = 0; i < 10_000; i++) {
      Process process = context.process(Tasks::nothing);
      process.start();
      process.join();
      assertEquals(0, process.exitCode());
    }
    assertTrue(Thread.activeCount() <= threadsBefore + 2,
        threadsBefore + " threads before, " + Thread.activeCount() + " after");
    assertTrue(context.activeChildren().isEmpty());
    // The only processes left are the context's workers (those the earlier tests killed have
    // been replaced, possibly during this loop).
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
        ProcessHandle.current().children().map(ProcessHandle::pid)
            .allMatch(pid -> context.cluster().workerPids().contains(pid))
        && context.cluster().workerPids().size() <= context.cluster().processes());
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
        context.cluster().broker().stats(java.time.Duration.ofSeconds(5)).queues()
            <= queuesBefore);
  }
}
