package io.mp4j;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Tasks that use Manager objects, run in worker processes by the Manager tests. */
public final class ManagerTasks {
  /** Trips recorded in this JVM, where the last party to arrive runs the action. */
  static final List<String> TRIPS = new CopyOnWriteArrayList<>();

  private ManagerTasks() {}

  /** A barrier's action: records each trip. */
  public static void recordTrip() {
    TRIPS.add("tripped");
  }

  /** Adds one to the counter {@code times} times, each under the counter's lock. */
  public static Object increment(Value<Integer> counter, Integer times) {
    Lock lock = counter.getLock();
    for (int i = 0; i < times; i++) {
      lock.lock();
      try {
        counter.set(counter.get() + 1);
      } finally {
        lock.unlock();
      }
    }
    return null;
  }

  /** Takes the lock, says so, and dies holding it. */
  public static Object holdAndDie(Lock lock, Event holding) {
    lock.lock();
    holding.set();
    Runtime.getRuntime().halt(7);
    return null;
  }

  /** Takes permits, says so, and dies holding them. */
  public static Object takePermitsAndDie(Semaphore semaphore, Event holding) throws Exception {
    semaphore.acquire(2);
    holding.set();
    Runtime.getRuntime().halt(7);
    return null;
  }

  /** Writes its pid under its argument and appends to the list kept in the dict. */
  public static String record(SharedDict<String, Object> dict, Integer item) {
    @SuppressWarnings("unchecked")
    SharedList<Integer> nested = (SharedList<Integer>) dict.get("items");
    nested.add(item);
    dict.put("seen-" + item, Process.currentPid());
    return nested.name();
  }

  /**
   * Puts {@code count} entries, each then read back, from a thread it starts, while the task's
   * own thread waits for that thread rather than for a reply.
   */
  public static Integer putFromAThreadOfItsOwn(SharedDict<String, Object> dict, Integer count)
      throws InterruptedException {
    int[] readBack = new int[1];
    Thread writer = new Thread(() -> {
      for (int i = 0; i < count; i++) {
        dict.put(Integer.toString(i), i);
        readBack[0] += ((Number) dict.get(Integer.toString(i))).intValue() == i ? 1 : 0;
      }
    });
    writer.start();
    writer.join();
    return readBack[0];
  }

  /** Calls a registered type's proxy that arrived as an argument. */
  public static Long addThroughProxy(ManagerSemanticsTest.CounterApi counter, Long delta) {
    return counter.add(delta);
  }

  /** Waits at the barrier, returning its arrival index. */
  public static Integer meet(Barrier barrier) throws Exception {
    return barrier.await(30, java.util.concurrent.TimeUnit.SECONDS);
  }
}
