package io.mp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mp4j.broker.Broker;
import io.mp4j.broker.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Queues held by a context's broker, used from the caller and from tasks in worker JVMs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueTest {
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
  void putAndTake_areFirstInFirstOut() throws Exception {
    Queue<String> queue = context.queue(String.class);
    assertTrue(queue.isEmpty());
    queue.put("a");
    assertTrue(queue.offer("b"));
    assertTrue(queue.offer("c", 1, TimeUnit.SECONDS));
    assertEquals(3, queue.size());
    assertEquals("a", queue.take());
    assertEquals("b", queue.poll());
    assertEquals("c", queue.poll(1, TimeUnit.SECONDS));
    assertNull(queue.poll());
  }

  @Test
  void pollWithTimeout_returnsNullAfterAboutTheTimeout() throws Exception {
    Queue<Integer> queue = context.queue(Integer.class);
    long start = System.nanoTime();
    assertNull(queue.poll(300, TimeUnit.MILLISECONDS));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(waited >= 280 && waited < 3000, "waited " + waited + " ms");
    assertThrows(IllegalArgumentException.class, () -> queue.poll(-1, TimeUnit.SECONDS));
  }

  @Test
  void boundedQueue_isFullAtItsLimit() throws Exception {
    Queue<Integer> queue = context.queue(Integer.class, 2);
    queue.put(1);
    queue.put(2);
    assertTrue(queue.isFull());
    assertEquals(0, queue.remainingCapacity());
    assertFalse(queue.offer(3));
    assertFalse(queue.offer(3, 200, TimeUnit.MILLISECONDS));
    assertEquals(1, queue.take());
    assertTrue(queue.offer(3));
    List<Integer> drained = new ArrayList<>();
    assertEquals(2, queue.drainTo(drained));
    assertEquals(List.of(2, 3), drained);
  }

  @Test
  void takeOnEmptyQueue_isAnsweredByALaterPut() throws Exception {
    Queue<String> queue = context.queue(String.class);
    CompletableFuture<String> taken = CompletableFuture.supplyAsync(() -> {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }, runnable -> new Thread(runnable).start());
    assertThrows(java.util.concurrent.TimeoutException.class,
        () -> taken.get(300, TimeUnit.MILLISECONDS));
    queue.put("late");
    assertEquals("late", taken.get(10, TimeUnit.SECONDS));
  }

  @Test
  void interruptedTake_throwsAndLosesNoItem() throws Exception {
    Queue<String> queue = context.queue(String.class);
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    Thread taker = new Thread(() -> {
      try {
        outcome.set(new AssertionError("took " + queue.take()));
      } catch (Throwable e) {
        outcome.set(e);
      }
    });
    taker.start();
    org.awaitility.Awaitility.await().until(() -> Waiting.forReply(taker));
    taker.interrupt();
    taker.join(10_000);
    assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
    queue.put("kept");
    assertEquals("kept", queue.poll(5, TimeUnit.SECONDS));
  }

  @Test
  void interruptedThread_canStillPut_andTheConnectionGoesOn() throws Exception {
    Queue<String> queue = context.queue(String.class);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread putter = new Thread(() -> {
      Thread.currentThread().interrupt();
      try {
        queue.put("put while interrupted");
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    putter.start();
    putter.join(10_000);
    assertEquals(null, failure.get());
    assertEquals("put while interrupted", queue.poll(5, TimeUnit.SECONDS));
    queue.put("after");
    assertEquals("after", queue.poll(5, TimeUnit.SECONDS));
  }

  @Test
  void badUse_getsClearExceptions() {
    Queue<String> queue = context.queue(String.class);
    assertThrows(NullPointerException.class, () -> queue.put(null));
    assertThrows(UnsupportedOperationException.class, queue::peek);
    assertThrows(IllegalArgumentException.class, () -> context.queue(String.class, -1));
    Queue<Object> objects = context.queue(Object.class);
    assertThrows(EncodingException.class, () -> objects.put(new Thread()));
    queue.close();
    assertThrows(IllegalStateException.class, () -> queue.put("after close"));
  }

  @Test
  void joinableQueue_joinWaitsForEveryTaskDone() throws Exception {
    JoinableQueue<Integer> queue = context.joinableQueue(Integer.class, 0);
    queue.put(1);
    queue.put(2);
    assertFalse(queue.join(100, TimeUnit.MILLISECONDS));
    queue.take();
    queue.taskDone();
    queue.take();
    queue.taskDone();
    assertTrue(queue.join(5, TimeUnit.SECONDS));
    queue.join();
    assertThrows(IllegalStateException.class, queue::taskDone);
  }

  @Test
  void queuePassedToTasks_isTheSameQueueInTheWorkers() throws Exception {
    try (Pool pool = context.pool(2)) {
      Queue<String> queue = context.queue(String.class);
      List<List<?>> producers = List.of(List.of(queue, 5), List.of(queue, 5), List.of(queue, 5));
      assertEquals(List.of(5, 5, 5), pool.starmap(Tasks::produce, producers));
      Set<String> items = new HashSet<>();
      for (int i = 0; i < 15; i++) {
        items.add(queue.take());
      }
      assertEquals(5, items.size());
      assertNull(queue.poll());

      JoinableQueue<Integer> work = context.joinableQueue(Integer.class, 4);
      AsyncResult<List<Integer>> consumers = pool.starmapAsync(Tasks::consumeUntilStop,
          List.of(List.of(work, 0), List.of(work, 0)));
      for (int i = 1; i <= 100; i++) {
        work.put(i);
      }
      work.join();
      work.put(-1);
      work.put(-1);
      List<Integer> sums = consumers.get(30, TimeUnit.SECONDS);
      assertEquals(5050, sums.get(0) + sums.get(1));
    }
  }

  @Test
  void consumersThatStopAtAPill_loseNoItemTheyFetched() throws Exception {
    try (Pool pool = context.pool(2)) {
      Queue<Integer> queue = context.queue(Integer.class);
      // Pills in the middle: a consumer fetches a run of items, stops at the pill, and must
      // give back what it fetched after it.
      for (int i = 1; i <= 100; i++) {
        queue.put(i);
      }
      queue.put(-1);
      for (int i = 101; i <= 200; i++) {
        queue.put(i);
      }
      queue.put(-1);
      int consumed = pool.map(Tasks::takeUntilPill, List.of(queue, queue), 1).stream()
          .mapToInt(Integer::intValue).sum();
      List<Integer> left = new ArrayList<>();
      queue.drainTo(left);
      assertEquals(200, consumed + left.size());
    }
  }

  @Test
  void aConsumerThatStops_givesBackTheRunItBorrowed_inQueueOrder() throws Exception {
    Queue<Integer> queue = context.queue(Integer.class);
    for (int i = 0; i < 300; i++) {
      queue.put(i);
    }
    try (Pool pool = context.pool(1)) {
      // The worker's take borrows a run of the items after the first; it takes no more, so the
      // run goes back to the head, ahead of every item after it.
      assertEquals(0, pool.apply(Tasks::takeOne, queue));
      List<Integer> rest = new ArrayList<>();
      for (int i = 1; i < 300; i++) {
        rest.add(queue.take());
      }
      assertEquals(IntStream.range(1, 300).boxed().toList(), rest);
      assertNull(queue.poll());
    }
  }

  @Test
  void aProducerStreamingMoreThanTheBrokersMessageLimit_losesNothing_andKeepsOrder() throws Exception {
    Queue<byte[]> queue = context.queue(byte[].class);
    int count = 80_000; // 80 MiB, over the broker's default limit of 64 MiB per message
    try (Pool pool = context.pool(1)) {
      AsyncResult<Integer> producer = pool.applyAsync(Tasks::putKibibytes, queue, count);
      for (int i = 0; i < count; i++) {
        assertEquals((byte) i, queue.take()[0]);
      }
      assertEquals(count, producer.get());
      assertNull(queue.poll());
    }
  }

  @Test
  void namedQueue_isSharedByTwoPrograms_andOutlivesItsProducer() throws Exception {
    byte[] key = "shared".getBytes(StandardCharsets.UTF_8);
    try (Broker broker = Broker.start(new BrokerConfig().authkey(key))) {
      try (Context producer = Context.connect(broker.endpoint(), "shared")) {
        Queue<String> queue = producer.named("jobs").queue(String.class, 10);
        queue.put("first");
        queue.put("second");
      }
      try (Context consumer = Context.connect(broker.endpoint(), "shared")) {
        Queue<String> queue = consumer.named("jobs").queue(String.class, 0);
        assertEquals(8, queue.remainingCapacity(), "the queue keeps the limit it was made with");
        assertEquals("first", queue.take());
        assertEquals("second", queue.take());
      }
    }
  }
}
