package io.mp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Manager objects shared with worker processes: atomicity, proxies in tasks, dead holders. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ManagerProcessTest {
  private Manager manager;

  @BeforeAll
  void start() {
    manager = Manager.builder().register("Counter", ManagerSemanticsTest.Counter.class).start();
  }

  @AfterAll
  void stop() {
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void counterIncrementedUnderItsLockByFourProcesses_endsExact() throws Exception {
    Value<Integer> counter = manager.value(Integer.class, 0);
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      processes.add(manager.context().process(ManagerTasks::increment, counter, 10_000));
    }
    processes.forEach(Process::start);
    for (Process process : processes) {
      assertTrue(process.join(240, TimeUnit.SECONDS));
      assertEquals(0, process.exitCode());
    }
    assertEquals(40_000, counter.get());
  }

  @Test
  void lockHeldByAProcessThatDies_isGivenBack_andTheNextHolderIsTold() throws Exception {
    Lock lock = manager.lock();
    Event holding = manager.event();
    Process process = manager.context().process(ManagerTasks::holdAndDie, lock, holding);
    process.start();
    assertTrue(holding.await(60, TimeUnit.SECONDS));
    assertTrue(lock.tryLock(60, TimeUnit.SECONDS), "the dead holder's lock came back");
    assertTrue(lock.previousHolderDied());
    assertTrue(process.join(30, TimeUnit.SECONDS));
    assertTrue(process.exitCode() != 0);
    lock.unlock();
    assertTrue(lock.tryLock());
    assertFalse(lock.previousHolderDied(), "only the hold right after the death is told");
    lock.unlock();
  }

  @Test
  void permitsHeldByAProcessThatDies_areGivenBack() throws Exception {
    Semaphore semaphore = manager.boundedSemaphore(3);
    Event holding = manager.event();
    Process process = manager.context().process(ManagerTasks::takePermitsAndDie, semaphore,
        holding);
    process.start();
    assertTrue(holding.await(60, TimeUnit.SECONDS));
    assertTrue(semaphore.tryAcquire(3, 60, TimeUnit.SECONDS));
    assertTrue(semaphore.previousHolderDied());
    semaphore.release(3);
  }

  @Test
  void proxiesPassedToPoolTasks_reachTheSameObjects_nestedOnesToo() {
    SharedDict<String, Object> dict = manager.dict(String.class, Object.class);
    SharedList<Integer> items = manager.list(Integer.class);
    dict.put("items", items);
    try (Pool pool = manager.context().pool(2)) {
      List<String> names = pool.starmap(ManagerTasks::record,
          List.of(List.of(dict, 1), List.of(dict, 2), List.of(dict, 3)));
      assertEquals(List.of(items.name(), items.name(), items.name()), names);
    }
    Set<Integer> added = new HashSet<>(items);
    assertEquals(Set.of(1, 2, 3), added);
    assertTrue(dict.containsKey("seen-1") && dict.containsKey("seen-3"));
    assertTrue(((Number) dict.get("seen-2")).longValue() != ProcessHandle.current().pid());
  }

  @Test
  void proxyUsedByAThreadOfATask_whileTheTaskWaitsForIt() {
    SharedDict<String, Object> dict = manager.dict(String.class, Object.class);
    try (Pool pool = manager.context().pool(1)) {
      assertEquals(200, pool.apply(ManagerTasks::putFromAThreadOfItsOwn, dict, 200));
    }
    assertEquals(200, dict.size());
    assertEquals(199, ((Number) dict.get("199")).intValue());
  }

  @Test
  void registeredTypeProxy_andBarrier_workInsideProcesses() throws Exception {
    ManagerSemanticsTest.CounterApi counter = manager.create("Counter",
        ManagerSemanticsTest.CounterApi.class, 100L);
    Barrier barrier = manager.barrier(3);
    try (Pool pool = manager.context().pool(2)) {
      AsyncResult<List<Integer>> meeting = pool.mapAsync(ManagerTasks::meet,
          List.of(barrier, barrier), 1);
      int mine = barrier.await(60, TimeUnit.SECONDS);
      List<Integer> indexes = new ArrayList<>(meeting.get(60, TimeUnit.SECONDS));
      indexes.add(mine);
      assertEquals(Set.of(0, 1, 2), new HashSet<>(indexes));
      assertEquals(105L, pool.apply(ManagerTasks::addThroughProxy, counter, 5L));
    }
    assertEquals(105L, counter.get());
  }
}
