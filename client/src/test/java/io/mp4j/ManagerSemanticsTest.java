package io.mp4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The Manager's objects used from threads of this JVM through a real embedded broker: Python's
 * semantics for each, and the Java interfaces they implement.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManagerSemanticsTest {
  private Manager manager;

  /** A registered type: the broker holds one instance per object. */
  public static final class Counter {
    private long count;

    public Counter(long start) {
      count = start;
    }

    public long add(long delta) {
      count += delta;
      return count;
    }

    public long get() {
      return count;
    }

    public void fail(String why) {
      throw new IllegalStateException(why);
    }
  }

  /** What clients see of a Counter. */
  public interface CounterApi {
    long add(long delta);

    long get();

    void fail(String why);

    void missing();
  }

  @BeforeAll
  void start() {
    manager = Manager.builder().register("Counter", Counter.class).start();
  }

  @AfterAll
  void stop() {
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void dict_isAConcurrentMapInTheBroker() {
    ConcurrentMap<String, Integer> dict = manager.dict(String.class, Integer.class);
    assertNull(dict.put("a", 1));
    assertEquals(1, dict.put("a", 2));
    assertEquals(2, dict.putIfAbsent("a", 3));
    assertNull(dict.putIfAbsent("b", 3));
    assertTrue(dict.replace("b", 3, 4));
    assertFalse(dict.replace("b", 3, 5));
    assertFalse(dict.remove("b", 3));
    assertEquals(11, dict.merge("b", 7, Integer::sum));
    assertEquals(12, dict.compute("b", (key, value) -> value + 1));
    assertEquals(2, dict.size());
    assertTrue(dict.containsKey("a"));
    assertTrue(dict.containsValue(12));
    assertEquals(Map.of("a", 2, "b", 12), Map.copyOf(dict));
    assertEquals(List.of("a", "b"), new ArrayList<>(dict.keySet()), "insertion order");
    assertEquals("{a=2, b=12}", dict.toString(), "printed as Java prints a map");
    assertEquals(12, dict.remove("b"));
    assertNull(dict.get("b"));
    Map<String, Integer> many = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      many.put("k" + i, i);
    }
    dict.putAll(many);
    assertEquals(1001, dict.size());
    assertEquals(Map.of("k5", 5, "k999", 999), ((SharedDict<String, Integer>) dict)
        .getAll(List.of("k5", "absent", "k999")));
    assertThrows(NullPointerException.class, () -> dict.put("x", null));
    dict.clear();
    assertTrue(dict.isEmpty());
  }

  @Test
  void list_namespace_value_array() {
    SharedList<Integer> list = manager.list(Integer.class, List.of(0, 1, 2));
    list.add(3);
    list.add(0, -1);
    list.addAll(List.of(4, 5));
    assertEquals(List.of(-1, 0, 1, 2, 3, 4, 5), list);
    assertEquals(1, list.set(2, 10));
    assertEquals(-1, list.remove(0));
    assertTrue(list.remove(Integer.valueOf(10)));
    assertEquals(List.of(0, 2, 3, 4, 5), new ArrayList<>(list));
    assertEquals(2, list.indexOf(3));
    assertThrows(IndexOutOfBoundsException.class, () -> list.get(99));

    Namespace namespace = manager.namespace();
    namespace.set("x", 1);
    namespace.set("label", "hello");
    assertEquals(1, namespace.get("x", Integer.class));
    assertTrue(namespace.has("label"));
    assertEquals(Map.of("x", 1, "label", "hello"), namespace.attributes());
    assertThrows(java.util.NoSuchElementException.class, () -> namespace.get("y", Integer.class));

    Value<Double> value = manager.value(Double.class, 1.5);
    value.set(value.get() * 2);
    assertEquals(3.0, value.get());
    assertFalse(value.getLock().isLocked());
    Value<Integer> bare = manager.value(Integer.class, 0, false);
    assertThrows(IllegalStateException.class, bare::getLock);

    Array<Integer> array = manager.array(Integer.class, 4);
    array.set(2, 7);
    assertEquals(List.of(0, 0, 7, 0), array.toList());
    assertEquals(4, array.length());
    assertThrows(IndexOutOfBoundsException.class, () -> array.set(4, 1));
  }

  @Test
  void valueAndArray_readsAndWritesWaitWhileAnotherThreadHoldsTheirLock() throws Exception {
    Value<Integer> value = manager.value(Integer.class, 1);
    Array<Integer> array = manager.array(Integer.class, List.of(1, 1), true);
    value.getLock().lock();
    array.getLock().lock();
    CompletableFuture<Integer> read;
    CompletableFuture<List<Integer>> readAll;
    try {
      value.set(2); // the holder's own reads and writes go at once
      array.set(0, 2);
      assertEquals(2, value.get());
      read = CompletableFuture.supplyAsync(value::get);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
          .until(() -> !read.isDone());
      value.set(3);
    } finally {
      value.getLock().unlock();
    }
    assertEquals(3, read.get(10, TimeUnit.SECONDS), "a half-done update stays unseen");
    try {
      readAll = CompletableFuture.supplyAsync(array::toList);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
          .until(() -> !readAll.isDone());
      array.set(1, 3);
    } finally {
      array.getLock().unlock();
    }
    assertEquals(List.of(2, 3), readAll.get(10, TimeUnit.SECONDS));
    Value<Integer> bare = manager.value(Integer.class, 0, false);
    bare.set(4);
    assertEquals(4, bare.get());
  }

  @Test
  void valueAndArray_locksAreReentrantAsPythonsGetLock() throws Exception {
    Value<Integer> value = manager.value(Integer.class, 0);
    Array<Integer> array = manager.array(Integer.class, 2);
    for (RLock lock : List.of(value.getLock(), array.getLock())) {
      lock.lock();
      try {
        assertTrue(lock.tryLock(), "its holder takes it again at once");
        assertEquals(2, lock.getHoldCount());
        lock.unlock();
        java.util.concurrent.CompletionException byAnother = assertThrows(
            java.util.concurrent.CompletionException.class,
            () -> CompletableFuture.runAsync(lock::unlock).join());
        assertInstanceOf(IllegalMonitorStateException.class, byAnother.getCause(),
            "only its holder may release it");
      } finally {
        lock.unlock();
      }
      assertFalse(lock.isLocked());
    }
  }

  /** A standalone broker, as two separate programs share. */
  private static io.mp4j.broker.Broker standaloneBroker() {
    return io.mp4j.broker.Broker.start(new io.mp4j.broker.BrokerConfig()
        .authkey("manager-test".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void namedObjects_areSharedBetweenPrograms() {
    try (var broker = standaloneBroker();
        Manager manager = Manager.connect(broker.endpoint(), "manager-test");
        Manager other = Manager.connect(broker.endpoint(), "manager-test")) {
      SharedDict<String, Integer> mine = manager.named("shared-scores").dict(String.class,
          Integer.class);
      mine.put("alice", 3);
      SharedDict<String, Integer> theirs = other.named("shared-scores").dict(String.class,
          Integer.class);
      assertEquals(3, theirs.get("alice"));
      theirs.put("bob", 4);
      assertEquals(Map.of("alice", 3, "bob", 4), Map.copyOf(mine));
      IllegalArgumentException wrongKind = assertThrows(IllegalArgumentException.class,
          () -> other.named("shared-scores").lock());
      assertTrue(wrongKind.getMessage().contains("is a dict"), wrongKind.getMessage());
      mine.delete();
      IllegalStateException deleted = assertThrows(IllegalStateException.class,
          () -> theirs.get("alice"));
      assertTrue(deleted.getMessage().contains("shared-scores"), deleted.getMessage());
    }
  }

  @Test
  void anonymousObjects_goWithTheProgramThatMadeThem() {
    try (var broker = standaloneBroker();
        Manager manager = Manager.connect(broker.endpoint(), "manager-test")) {
      SharedList<String> list;
      try (Manager other = Manager.connect(broker.endpoint(), "manager-test")) {
        list = other.list(String.class);
        list.add("x");
        assertEquals(List.of("x"), new SharedList<>(manager.channel(), list.name(),
            String.class));
      }
      SharedList<String> orphan = new SharedList<>(manager.channel(), list.name(),
          String.class);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThrows(IllegalStateException.class, orphan::size));
    }
  }

  @Test
  void lock_releasingAnUnlockedLockIsAnError_andAnyThreadMayRelease() throws Exception {
    Lock lock = manager.lock();
    assertThrows(IllegalMonitorStateException.class, lock::unlock);
    assertTrue(lock.tryLock());
    assertFalse(lock.tryLock(), "not re-entrant");
    assertFalse(CompletableFuture.supplyAsync(lock::tryLock).get());
    CompletableFuture.runAsync(lock::unlock).get();
    assertFalse(lock.isLocked());
  }

  @Test
  void lock_waitsInTheBrokerAndTimesOut() throws Exception {
    Lock lock = manager.lock();
    lock.lock();
    long started = System.nanoTime();
    assertFalse(CompletableFuture.supplyAsync(() -> tryLock(lock, 200)).get());
    assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(200));
    CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> tryLock(lock,
        30_000));
    lock.unlock();
    assertTrue(waiter.get(10, TimeUnit.SECONDS));
    assertTrue(lock.isLocked());
  }

  private static boolean tryLock(Lock lock, long millis) {
    try {
      return lock.tryLock(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void rlock_isReentrant_andOnlyItsOwnerMayRelease() throws Exception {
    RLock lock = manager.rlock();
    lock.lock();
    lock.lock();
    assertEquals(2, lock.getHoldCount());
    assertTrue(lock.isHeldByCurrentThread());
    ExecutionException notOwner = assertThrows(ExecutionException.class,
        () -> CompletableFuture.runAsync(lock::unlock).get());
    assertInstanceOf(IllegalMonitorStateException.class, notOwner.getCause());
    assertFalse(CompletableFuture.supplyAsync(lock::tryLock).get());
    lock.unlock();
    assertTrue(lock.isLocked());
    lock.unlock();
    assertFalse(lock.isLocked());
    assertThrows(IllegalMonitorStateException.class, lock::unlock);
  }

  @Test
  void semaphores_countPermits_andABoundedOneRefusesExtraReleases() throws Exception {
    Semaphore semaphore = manager.semaphore(2);
    semaphore.acquire(2);
    assertFalse(semaphore.tryAcquire());
    assertFalse(semaphore.tryAcquire(100, TimeUnit.MILLISECONDS));
    semaphore.release(3);
    assertEquals(3, semaphore.availablePermits(), "an unbounded one may go above its start");

    BoundedSemaphore bounded = manager.boundedSemaphore(1);
    bounded.acquire();
    CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
      try {
        return bounded.tryAcquire(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    bounded.release();
    assertTrue(waiter.get(10, TimeUnit.SECONDS));
    bounded.release();
    IllegalStateException tooMany = assertThrows(IllegalStateException.class, bounded::release);
    assertTrue(tooMany.getMessage().contains("released too many times"), tooMany.getMessage());
  }

  @Test
  void event_waitWithATimeoutReturnsFalseWhenNotSet() throws Exception {
    Event event = manager.event();
    assertFalse(event.isSet());
    assertFalse(event.await(100, TimeUnit.MILLISECONDS));
    CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
      try {
        return event.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    event.set();
    assertTrue(waiter.get(10, TimeUnit.SECONDS));
    assertTrue(event.await(0, TimeUnit.SECONDS));
    event.clear();
    assertFalse(event.isSet());
  }

  @Test
  void condition_waitNotifyNotifyAllAndWaitFor() throws Exception {
    Condition condition = manager.condition();
    Lock lock = condition.getLock();
    assertThrows(IllegalMonitorStateException.class, condition::signal,
        "signalling without the lock");
    lock.lock();
    assertFalse(condition.await(100, TimeUnit.MILLISECONDS), "nobody signals");
    assertTrue(((RLock) lock).isHeldByCurrentThread(), "the lock is held again");
    lock.unlock();

    List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiters.add(CompletableFuture.supplyAsync(() -> {
        lock.lock();
        try {
          return condition.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        } finally {
          lock.unlock();
        }
      }, command -> new Thread(command).start()));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> condition.waiting() == 3);
    lock.lock();
    condition.signal();
    assertEquals(2, condition.waiting(), "signal wakes one");
    lock.unlock();
    assertTrue(CompletableFuture.anyOf(waiters.toArray(CompletableFuture[]::new))
        .thenApply(Boolean.class::cast).get(10, TimeUnit.SECONDS));
    lock.lock();
    condition.signalAll();
    assertEquals(0, condition.waiting(), "signalAll wakes the rest");
    lock.unlock();
    for (CompletableFuture<Boolean> waiter : waiters) {
      assertTrue(waiter.get(10, TimeUnit.SECONDS), "each was signalled, none timed out");
    }

    Value<Integer> ready = manager.value(Integer.class, 0, false);
    CompletableFuture<Boolean> predicateWaiter = CompletableFuture.supplyAsync(() -> {
      lock.lock();
      try {
        return condition.waitFor(() -> ready.get() > 0, 30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      } finally {
        lock.unlock();
      }
    }, command -> new Thread(command).start());
    await().atMost(Duration.ofSeconds(10)).until(() -> condition.waiting() == 1);
    lock.lock();
    condition.signalAll();
    assertEquals(0, condition.waiting());
    lock.unlock();
    await().atMost(Duration.ofSeconds(10)).until(() -> condition.waiting() == 1);
    assertFalse(predicateWaiter.isDone(), "woken with the predicate still false, it waits again");
    lock.lock();
    ready.set(1);
    condition.signal();
    lock.unlock();
    assertTrue(predicateWaiter.get(10, TimeUnit.SECONDS));

    lock.lock();
    try {
      long started = System.nanoTime();
      assertFalse(condition.waitFor(() -> false, 300, TimeUnit.MILLISECONDS));
      assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(300));
    } finally {
      lock.unlock();
    }
  }

  @Test
  void conditionWaiters_failAtOnce_whenTheirLockIsDeleted() throws Exception {
    Lock lock = manager.lock();
    Condition condition = manager.condition(lock);
    CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
      lock.lock();
      try {
        condition.await(60, TimeUnit.SECONDS);
        return null;
      } catch (Throwable e) {
        return e;
      }
    }, command -> new Thread(command).start());
    await().atMost(Duration.ofSeconds(10)).until(() -> condition.waiting() == 1);
    lock.delete();
    Throwable failure = waiter.get(10, TimeUnit.SECONDS);
    assertTrue(failure instanceof IllegalStateException, "not a clear failure: " + failure);
    assertTrue(failure.getMessage().contains("deleted"), failure.getMessage());
  }

  @Test
  void barrier_tripsRunsItsActionOnce_andBreaksForEveryoneOnTimeout() throws Exception {
    ManagerTasks.TRIPS.clear();
    Barrier barrier = manager.barrier(3, ManagerTasks::recordTrip);
    List<CompletableFuture<Integer>> parties = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      parties.add(CompletableFuture.supplyAsync(() -> awaitBarrier(barrier, 30_000),
          command -> new Thread(command).start()));
    }
    List<Integer> indexes = new ArrayList<>();
    for (CompletableFuture<Integer> party : parties) {
      indexes.add(party.get(20, TimeUnit.SECONDS));
    }
    Collections.sort(indexes);
    assertEquals(List.of(0, 1, 2), indexes);
    assertEquals(List.of("tripped"), ManagerTasks.TRIPS, "the action ran once");
    assertEquals(3, barrier.getParties());

    CompletableFuture<Integer> patient = CompletableFuture.supplyAsync(
        () -> awaitBarrier(barrier, 30_000), command -> new Thread(command).start());
    await().atMost(Duration.ofSeconds(10)).until(() -> barrier.getNumberWaiting() == 1);
    assertThrows(TimeoutException.class, () -> barrier.await(100, TimeUnit.MILLISECONDS));
    ExecutionException broken = assertThrows(ExecutionException.class,
        () -> patient.get(10, TimeUnit.SECONDS));
    assertInstanceOf(BrokenBarrierException.class, broken.getCause().getCause());
    assertTrue(barrier.isBroken());
    assertThrows(BrokenBarrierException.class, barrier::await);
    barrier.reset();
    assertFalse(barrier.isBroken());

    CompletableFuture<Integer> aborted = CompletableFuture.supplyAsync(
        () -> awaitBarrier(barrier, 30_000), command -> new Thread(command).start());
    await().atMost(Duration.ofSeconds(10)).until(() -> barrier.getNumberWaiting() == 1);
    barrier.abort();
    ExecutionException abortedCause = assertThrows(ExecutionException.class,
        () -> aborted.get(10, TimeUnit.SECONDS));
    assertInstanceOf(BrokenBarrierException.class, abortedCause.getCause().getCause());
  }

  private static int awaitBarrier(Barrier barrier, long millis) {
    try {
      return barrier.await(millis, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void registeredType_isHeldByTheBroker_andCalledThroughAProxy() {
    CounterApi counter = manager.create("Counter", CounterApi.class, 10L);
    assertEquals(15, counter.add(5));
    CounterApi same = manager.named("the-counter").create("Counter", CounterApi.class, 0L);
    same.add(2);
    assertEquals(2, manager.named("the-counter").create("Counter", CounterApi.class, 0L).get());
    RemoteTaskException thrown = assertThrows(RemoteTaskException.class,
        () -> counter.fail("on purpose"));
    assertEquals("java.lang.IllegalStateException", thrown.remoteClassName());
    UnsupportedOperationException missing = assertThrows(UnsupportedOperationException.class,
        counter::missing);
    assertTrue(missing.getMessage().contains("no public method missing"), missing.getMessage());
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> manager.create("Nope", CounterApi.class));
    assertTrue(unknown.getMessage().contains("no type is registered as Nope"),
        unknown.getMessage());
  }

  @Test
  void badInput_getsClearErrors() {
    SharedDict<String, Object> dict = manager.dict(String.class, Object.class);
    EncodingException notEncodable = assertThrows(EncodingException.class,
        () -> dict.put("thread", new Thread()));
    assertTrue(notEncodable.getMessage().contains("java.lang.Thread"),
        notEncodable.getMessage());
    assertThrows(IllegalArgumentException.class, () -> manager.semaphore(-1));
    assertThrows(IllegalArgumentException.class, () -> manager.barrier(0));
    Lock lock = manager.lock();
    lock.delete();
    assertThrows(IllegalStateException.class, lock::tryLock);
  }

  @Test
  void interruptedWaiter_withdrawsWithoutTakingTheLock() throws Exception {
    Lock lock = manager.lock();
    lock.lock();
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread waiter = new Thread(() -> {
      try {
        lock.lockInterruptibly();
      } catch (InterruptedException e) {
        interrupted.set(true);
      }
    });
    waiter.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> Waiting.forReply(waiter));
    waiter.interrupt();
    waiter.join(10_000);
    assertTrue(interrupted.get());
    lock.unlock();
    assertTrue(lock.tryLock(), "the withdrawn waiter did not take the lock");
  }
}
