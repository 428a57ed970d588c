package io.mp4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What every kind of pool must do, written once and run against each backend (as CPython runs one
 * test body against processes, managers and threads).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class PoolContractTest {
  Pool pool;

  /** A fresh pool of the backend under test with two workers. */
  abstract Pool newPool();

  @BeforeAll
  void startPool() {
    pool = newPool();
  }

  @AfterAll
  void stopPool() {
    if (pool != null) {
      pool.close();
    }
  }

  static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  @Test
  void map_returnsResultsInInputOrder() {
    List<Integer> squares = pool.map(Tasks::square, range(1000));
    assertEquals(range(1000).stream().map(x -> x * x).toList(), squares);
  }

  @Test
  void map_withChunkSize_returnsResultsInInputOrder() {
    assertEquals(range(101).stream().map(x -> x * x).toList(),
        pool.map(Tasks::square, range(101), 7));
  }

  @Test
  void map_emptyInput_returnsEmptyListAtOnce() {
    assertEquals(List.of(), pool.map(Tasks::square, List.of()));
    assertTrue(pool.mapAsync(Tasks::square, List.<Integer>of()).ready());
  }

  @Test
  void mapAsync_get_returnsAllResults() throws Exception {
    AsyncResult<List<Integer>> result = pool.mapAsync(Tasks::square, range(50));
    assertEquals(49 * 49, result.get(30, TimeUnit.SECONDS).get(49));
    assertTrue(result.successful());
  }

  @Test
  void starmap_passesEachListAsArguments() {
    List<List<?>> pairs = List.of(List.of(1L, 2L), List.of(10L, 20L), List.of(-5L, 5L));
    assertEquals(List.of(3L, 30L, 0L), pool.starmap(Tasks::add, pairs));
    List<List<?>> triples = List.of(List.of("a", 1, true), List.of("b", 2, false));
    assertEquals(List.of("a1true", "b2false"), pool.starmap(Tasks::join3, triples));
  }

  @Test
  void starmap_wrongArity_isRejectedAtSubmit() {
    List<List<?>> bad = List.of(List.of(1L));
    assertThrows(IllegalArgumentException.class, () -> pool.starmap(Tasks::add, bad));
  }

  @Test
  void starmapAsync_returnsResults() throws Exception {
    List<List<?>> pairs = List.of(List.of(1L, 1L), List.of(2L, 2L));
    assertEquals(List.of(2L, 4L), pool.starmapAsync(Tasks::add, pairs).get());
  }

  @Test
  void imap_yieldsResultsInInputOrder() {
    List<Integer> out = new ArrayList<>();
    pool.imap(Tasks::square, range(200).iterator(), 3).forEachRemaining(out::add);
    assertEquals(range(200).stream().map(x -> x * x).toList(), out);
  }

  @Test
  void imapUnordered_yieldsEveryResult() {
    Set<Integer> out = new HashSet<>();
    pool.imapUnordered(Tasks::square, range(200).iterator(), 5).forEachRemaining(out::add);
    assertEquals(new HashSet<>(range(200).stream().map(x -> x * x).toList()), out);
  }

  @Test
  void imap_nextWithTimeout_timesOutWhileTaskRuns() throws Exception {
    ResultIterator<Integer> results = pool.imap(Tasks::sleepThenReturn,
        List.of(1500).iterator());
    long start = System.nanoTime();
    assertThrows(TimeoutException.class, () -> results.next(200, TimeUnit.MILLISECONDS));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(waited >= 190 && waited < 1400, "waited " + waited + " ms");
    assertEquals(1500, results.next(30, TimeUnit.SECONDS));
    assertFalse(results.hasNext());
  }

  @Test
  void imap_failedCall_throwsAtItsPlaceAndIterationGoesOn() {
    ResultIterator<Integer> results = pool.imap(Tasks::failOnSeven, range(10).iterator());
    for (int i = 0; i < 7; i++) {
      assertEquals(i, results.next());
    }
    RemoteTaskException error = assertThrows(RemoteTaskException.class, results::next);
    assertEquals("java.lang.IllegalArgumentException", error.remoteClassName());
    assertEquals(8, results.next());
    assertEquals(9, results.next());
  }

  @Test
  void apply_returnsTheResult() {
    assertEquals(144, pool.apply(Tasks::square, 12));
    assertEquals(7L, pool.apply(Tasks::add, 3L, 4L));
    assertEquals("x", pool.apply(() -> "x"));
  }

  @Test
  void applyAsync_getWithTimeout_timesOutAndTheTaskGoesOn() throws Exception {
    AsyncResult<Integer> result = pool.applyAsync(Tasks::sleepThenReturn, 1000);
    long start = System.nanoTime();
    assertThrows(TimeoutException.class, () -> result.get(100, TimeUnit.MILLISECONDS));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(waited >= 90 && waited < 900, "waited " + waited + " ms");
    assertFalse(result.ready());
    assertThrows(IllegalStateException.class, result::successful);
    assertFalse(result.await(50, TimeUnit.MILLISECONDS));
    assertEquals(1000, result.get(30, TimeUnit.SECONDS));
    assertTrue(result.ready());
    assertTrue(result.successful());
  }

  @Test
  void applyAsync_callbacks_runWithResultAndError() throws Exception {
    CompletableFuture<Integer> seen = new CompletableFuture<>();
    pool.applyAsync(Tasks::square, 9).toCompletableFuture().thenAccept(seen::complete);
    assertEquals(81, seen.get(30, TimeUnit.SECONDS));

    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    pool.applyAsync(Tasks::failOnSeven, 7).toCompletableFuture()
        .whenComplete((value, error) -> failure.complete(error));
    assertInstanceOf(RemoteTaskException.class, failure.get(30, TimeUnit.SECONDS));
  }

  @Test
  void taskException_reachesCallerWithRemoteClassMessageAndStack() throws Exception {
    AsyncResult<Integer> result = pool.applyAsync(Tasks::failOnSeven, 7);
    ExecutionException wrapped = assertThrows(ExecutionException.class, result::get);
    assertFalse(result.successful());
    RemoteTaskException error = assertInstanceOf(RemoteTaskException.class, wrapped.getCause());
    assertEquals("java.lang.IllegalArgumentException", error.remoteClassName());
    assertTrue(error.getMessage().contains("seven is not allowed"), error.getMessage());
    StringWriter trace = new StringWriter();
    error.printStackTrace(new PrintWriter(trace));
    assertTrue(trace.toString().contains("Tasks.failOnSeven(Tasks.java:"), trace.toString());
  }

  @Test
  void map_oneCallFails_theMapFailsWithItsErrorAndOtherCallsRan() {
    RemoteTaskException error = assertThrows(RemoteTaskException.class,
        () -> pool.map(Tasks::failOnSeven, range(20), 1));
    assertEquals("java.lang.IllegalArgumentException", error.remoteClassName());
    assertEquals(List.of(0, 1, 2), pool.map(Tasks::failOnSeven, range(3)));
  }

  @Test
  void values_roundTripIntoDeclaredTypes() {
    assertEquals(List.of(2.5), pool.map(Tasks::half, List.of(5.0)));
    assertEquals(Arrays.asList("A", null), pool.map(Tasks::upper, Arrays.asList("a", null)));
    assertArrayEquals(new byte[] {3, 2, 1}, pool.apply(Tasks::reverse, new byte[] {1, 2, 3}));
    assertArrayEquals(new int[] {2, 4}, pool.apply(Tasks::doubleAll, new int[] {1, 2}));
    assertEquals(List.of(new Tasks.Point(2, 1)),
        pool.apply(Tasks::mirror, List.of(new Tasks.Point(1, 2))));
    assertEquals(Map.of("ab", 2, "c", 1), pool.apply(Tasks::lengths, Set.of("ab", "c")));
    assertEquals(Set.of("k"), pool.apply(Tasks::keys, Map.of("k", 1)));
    assertEquals(Tasks.Color.GREEN, pool.apply(Tasks::next, Tasks.Color.RED));
    assertEquals(new Tasks.Account("ann", 200),
        pool.apply(Tasks::deposit, new Tasks.Account("ann", 100)));
  }

  @Test
  void lambdas_carryTheirCapturedValues() {
    int offset = 1000;
    String prefix = "n";
    Task<Integer, String> label = x -> prefix + (x + offset);
    assertEquals(List.of("n1000", "n1001"), pool.map(label, range(2)));
  }

  @Test
  void taskObjects_carryTheirFields() {
    assertEquals(List.of(0, 3, 6), pool.map(new Tasks.Multiply(3), range(3)));
  }

  @Test
  void shutdown_rejectsNewTasksAndJoinWaitsForRunningOnes() throws Exception {
    Pool own = newPool();
    try {
      assertThrows(IllegalStateException.class, own::join);
      AsyncResult<Integer> running = own.applyAsync(Tasks::sleepThenReturn, 300);
      own.shutdown();
      assertThrows(java.util.concurrent.RejectedExecutionException.class,
          () -> own.apply(Tasks::square, 2));
      own.join();
      assertTrue(running.ready());
      assertEquals(300, running.get());
    } finally {
      own.close();
      own.close();
    }
  }

  @Test
  void terminate_failsPendingResultsQuickly() throws Exception {
    Pool own = newPool();
    AsyncResult<Integer> running = own.applyAsync(Tasks::sleepThenReturn, 3_000);
    long start = System.nanoTime();
    own.terminate();
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 10_000);
    ExecutionException error = assertThrows(ExecutionException.class,
        () -> running.get(10, TimeUnit.SECONDS));
    assertInstanceOf(Mp4jException.class, error.getCause());
    assertThrows(java.util.concurrent.RejectedExecutionException.class,
        () -> own.apply(Tasks::square, 2));
    own.join();
  }

  @Test
  void tryWithResources_terminatesThePool() {
    Pool own;
    try (Pool p = newPool()) {
      own = p;
      assertEquals(4, p.apply(Tasks::square, 2));
    }
    assertThrows(java.util.concurrent.RejectedExecutionException.class,
        () -> own.apply(Tasks::square, 2));
  }

  static Duration patience() {
    return Duration.ofSeconds(30);
  }

  @Test
  void nullArguments_areSentAsNull() {
    assertNull(pool.apply(Tasks::upper, null));
  }
}
