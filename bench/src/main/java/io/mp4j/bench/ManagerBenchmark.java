package io.mp4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mp4j.AsyncResult;
import io.mp4j.Lock;
import io.mp4j.Manager;
import io.mp4j.Pool;
import io.mp4j.SharedDict;
import io.mp4j.SharedList;
import io.mp4j.Value;
import io.mp4j.bench.Section.Side;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * Benchmark 9: a Manager's dict and lock from caller processes, bulk operations, and a Value
 * incremented under its lock, against Python's Manager and shared-memory Value doing the same,
 * and the bare JeroMQ round trip between two JVMs.
 */
final class ManagerBenchmark implements Benchmark {
  static final double GOAL_OP_OVER_RAW = 1.2;
  static final double GOAL_FOUR_OVER_PYTHON = 3.0;
  private static final int CALLERS = 4;
  /** Blocks in which one caller's operations and the bare round trips take turns. */
  private static final int BLOCKS = 10;

  @Override
  public String key() {
    return "manager";
  }

  @Override
  public String title() {
    return "Manager: shared dict, lock and value";
  }

  @Override
  public Section run(Benchmark.Context context) throws Exception {
    Sizes sizes = context.sizes();
    int ops = sizes.pipeCalls() * 5;
    int bulk = sizes.queueItems();
    int increments = sizes.pipeCalls() * 2;
    Section section = new Section(key(), title(), String.format(Locale.US,
        "One caller: a child process sets then gets %,d int keys of a Manager dict (each"
            + " operation timed), and takes and releases a Manager lock %,d times (each acquire"
            + " and each release timed), after each of"
            + " the four callers did both as many times untimed; each takes turns with bare"
            + " round trips, %d blocks of each, and its rate is one over an operation's mean"
            + " time. Four callers: %d child"
            + " processes do the same at once on one dict and one lock; operations/s from the"
            + " first caller's timed start to the last one's end (each caller's clock, one clock"
            + " on Linux; each caller's untimed fifth left out). Bulk: the parent puts %,d"
            + " entries with one putAll, gets them with one getAll and appends them to a list"
            + " with one addAll, against the same"
            + " number of single puts. Value: 2 child processes each add one %,d times under"
            + " the value's lock. mp4j's callers are Pool workers of the Manager's local"
            + " context; Python's are Pool workers (Process for the shared-memory Value). The"
            + " limits: bare JeroMQ round trips to a ROUTER that echoes, in a JVM of its own,"
            + " from this JVM one at a time, and from the %d pool workers at once, each with its"
            + " own DEALER socket, as many as a caller's dict operations; and the same %d"
            + " callers' round trips over plain TCP to one thread echoing in a JVM of its own"
            + " (java.nio), a single-threaded server with no message library.",
        ops, ops, BLOCKS, CALLERS, bulk, increments, CALLERS, CALLERS));

    Latency[] dictAndRaw;
    Latency[] lockAndRaw;
    Latency release;
    double dictFour;
    double lockFour;
    double putAllRate;
    double getAllRate;
    double addAllRate;
    double singlePutRate;
    double incrementRate;
    double rawFour;
    double plainFour;
    try (Manager manager = Manager.start(); Pool pool = manager.context().pool(CALLERS)) {
      SharedDict<Integer, Integer> dict = manager.dict(Integer.class, Integer.class);
      Lock lock = manager.lock();
      // Warm-up: every worker JVM has run both tasks in full before anything is timed; with a
      // tenth as many its JIT had not compiled the calls' path, and the four callers' figure
      // then still rose threefold from round to round.
      fourAtOnce(pool, dict, lock, ops, true);
      fourAtOnce(pool, dict, lock, ops, false);
      dictFour = fourAtOnce(pool, dict, lock, ops, true);
      lockFour = fourAtOnce(pool, dict, lock, ops, false);

      Map<Integer, Integer> entries = new LinkedHashMap<>();
      List<Integer> keys = new ArrayList<>();
      for (int i = 0; i < bulk; i++) {
        entries.put(i, i);
        keys.add(i);
      }
      SharedDict<Integer, Integer> target = manager.dict(Integer.class, Integer.class);
      target.putAll(entries);
      target.getAll(keys);
      target.clear();
      long start = System.nanoTime();
      target.putAll(entries);
      putAllRate = bulk / ((System.nanoTime() - start) / 1e9);
      start = System.nanoTime();
      int found = target.getAll(keys).size();
      getAllRate = bulk / ((System.nanoTime() - start) / 1e9);
      if (found != bulk) {
        throw new IllegalStateException("getAll found " + found + " of " + bulk);
      }
      SharedList<Integer> list = manager.list(Integer.class);
      start = System.nanoTime();
      list.addAll(keys);
      addAllRate = bulk / ((System.nanoTime() - start) / 1e9);
      target.clear();
      start = System.nanoTime();
      for (int i = 0; i < bulk; i++) {
        target.put(i, i);
      }
      singlePutRate = bulk / ((System.nanoTime() - start) / 1e9);

      Value<Integer> counter = manager.value(Integer.class, 0);
      pool.apply(ManagerTasks::increment, counter, increments / 10);
      counter.set(0);
      start = System.nanoTime();
      AsyncResult<List<Integer>> both = pool.starmapAsync(ManagerTasks::increment,
          List.of(List.of(counter, increments), List.of(counter, increments)));
      both.get();
      incrementRate = 2.0 * increments / ((System.nanoTime() - start) / 1e9);
      if (counter.get() != 2 * increments) {
        throw new IllegalStateException("the counter ended at " + counter.get());
      }

      try (RawZmq zmq = RawZmq.startDirect()) {
        zmq.roundTrips(ops / 4);
        // An operation is one round trip: the dict's blocks count operations, two per key.
        dictAndRaw = Latency.interleaved(2 * ops, BLOCKS,
            calls -> pool.apply(ManagerTasks::dictOpNanos, dict, calls / 2), zmq::roundTrips);
        // Each operation is timed, and an acquire's and a release's times are kept apart: a
        // release by the holder does not wait for the broker, so together they would make a
        // median of neither.
        List<long[]> releases = new ArrayList<>();
        lockAndRaw = Latency.interleaved(ops, BLOCKS, calls -> {
          long[] timed = pool.apply(ManagerTasks::lockOpNanos, lock, calls);
          releases.add(Arrays.copyOfRange(timed, calls, 2 * calls));
          return Arrays.copyOf(timed, calls);
        }, zmq::roundTrips);
        release = Latency.of(releases.stream().flatMapToLong(LongStream::of).toArray());
        List<List<Integer>> callers = Collections.nCopies(CALLERS, List.of(zmq.port(), 2 * ops));
        pool.starmap(RawZmq::callerRoundTrips, callers);
        rawFour = perSecond(pool.starmap(RawZmq::callerRoundTrips, callers), 2 * ops);
      }
      try (PlainEcho echo = PlainEcho.start()) {
        List<List<Integer>> callers = Collections.nCopies(CALLERS, List.of(echo.port(), 2 * ops));
        pool.starmap(PlainEcho::callerRoundTrips, callers);
        plainFour = perSecond(pool.starmap(PlainEcho::callerRoundTrips, callers), 2 * ops);
      }
    }
    section.figure(Side.MP4J, "dict set+get, one caller",
        rate(dictAndRaw[0].perSecond(), "ops"), dictAndRaw[0].format() + " per operation, "
            + String.format(Locale.US, "%,d operations", dictAndRaw[0].calls()));
    section.figure(Side.MP4J, "lock acquire+release, one caller",
        rate(1e9 / (lockAndRaw[0].meanNanos() + release.meanNanos()), "pairs"),
        "acquire " + lockAndRaw[0].format() + "; release " + release.format() + "; "
            + String.format(Locale.US, "%,d pairs", lockAndRaw[0].calls()));
    section.figure(Side.MP4J, "dict set+get, four callers", rate(dictFour, "ops"), "");
    section.figure(Side.MP4J, "lock acquire+release, four callers", rate(lockFour, "pairs"), "");
    section.figure(Side.MP4J, "dict putAll", rate(putAllRate, "items"),
        String.format(Locale.US, "%.0fx single puts", putAllRate / singlePutRate));
    section.figure(Side.MP4J, "dict getAll", rate(getAllRate, "items"),
        String.format(Locale.US, "%.0fx single puts", getAllRate / singlePutRate));
    section.figure(Side.MP4J, "list addAll", rate(addAllRate, "items"),
        String.format(Locale.US, "%.0fx single puts", addAllRate / singlePutRate));
    section.figure(Side.MP4J, "dict single puts from the parent", rate(singlePutRate, "items"),
        "");
    section.figure(Side.MP4J, "Value += 1 under its lock, 2 processes",
        rate(incrementRate, "increments"), "");

    JsonNode python = Benchmark.python(context, section, () -> context.python().run("manager",
        "--ops", ops, "--callers", CALLERS, "--increments", increments));
    Double pythonDictFour = null;
    Double pythonLockFour = null;
    if (python != null) {
      section.figure(Side.PYTHON, "Manager dict set+get, one caller",
          rate(python.get("dict_one_per_s").asDouble(), "ops"), "");
      section.figure(Side.PYTHON, "Manager Lock acquire+release, one caller",
          rate(python.get("lock_one_per_s").asDouble(), "pairs"), "");
      pythonDictFour = python.get("dict_four_per_s").asDouble();
      pythonLockFour = python.get("lock_four_per_s").asDouble();
      section.figure(Side.PYTHON, "Manager dict set+get, four callers",
          rate(pythonDictFour, "ops"), "");
      section.figure(Side.PYTHON, "Manager Lock acquire+release, four callers",
          rate(pythonLockFour, "pairs"), "");
      section.figure(Side.PYTHON, "shared-memory Value += 1 under its lock, 2 processes",
          rate(python.get("value_increments_per_s").asDouble(), "increments"), "");
    }
    section.figure(Side.LIMIT, "bare JeroMQ round trip between two JVMs, in turns with the dict",
        dictAndRaw[1].format(), dictAndRaw[1].detail());
    section.figure(Side.LIMIT, "bare JeroMQ round trip between two JVMs, in turns with the lock",
        lockAndRaw[1].format(), lockAndRaw[1].detail());
    section.figure(Side.LIMIT, "bare JeroMQ round trips, four callers at once",
        rate(rawFour, "round trips"), String.format(Locale.US,
            "%d of the same pool's workers, each with its own DEALER to one ROUTER echo JVM,"
                + " %,d sequential round trips each", CALLERS, 2 * ops));
    section.figure(Side.LIMIT, "plain TCP round trips, four callers at once",
        rate(plainFour, "round trips"), String.format(Locale.US,
            "the same %d workers, each with its own socket to one java.nio thread echoing in a"
                + " JVM of its own, %,d sequential round trips each", CALLERS, 2 * ops));

    double dictRatio = (double) dictAndRaw[0].p50Nanos() / dictAndRaw[1].p50Nanos();
    section.goal("dict operation p50 <= " + GOAL_OP_OVER_RAW + "x bare round trip",
        String.format(Locale.US, "%.2fx", dictRatio), dictRatio <= GOAL_OP_OVER_RAW);
    double acquireRatio = (double) lockAndRaw[0].p50Nanos() / lockAndRaw[1].p50Nanos();
    section.goal("lock acquire p50 <= " + GOAL_OP_OVER_RAW + "x bare round trip",
        String.format(Locale.US, "%.2fx", acquireRatio), acquireRatio <= GOAL_OP_OVER_RAW);
    double releaseRatio = (double) release.p50Nanos() / lockAndRaw[1].p50Nanos();
    section.goal("lock release p50 <= " + GOAL_OP_OVER_RAW + "x bare round trip"
            + " (a release by the holder does not wait for the broker)",
        String.format(Locale.US, "%.2fx", releaseRatio), releaseRatio <= GOAL_OP_OVER_RAW);
    if (pythonDictFour != null) {
      double goalRate = GOAL_FOUR_OVER_PYTHON * pythonDictFour;
      section.note(String.format(Locale.US, "Four callers' goal against the transport: %.1fx"
              + " Python's dict operations would be %,.0f/s; four bare JeroMQ callers made"
              + " %,.0f round trips/s, and four plain TCP callers to one echoing thread %,.0f%s."
              + " mp4j's four callers made %.0f%% of the bare JeroMQ ones' round trips.",
          GOAL_FOUR_OVER_PYTHON, goalRate, rawFour, plainFour, plainFour < goalRate
              ? ". Each operation is a round trip, so no single-threaded broker reached over"
                  + " sockets could answer them at the goal's rate here"
              : rawFour < goalRate
                  ? ". Each operation is a round trip, so no broker behind JeroMQ could answer"
                      + " them at the goal's rate here" : "",
          100 * dictFour / rawFour));
      section.goal("four callers' dict ops >= " + GOAL_FOUR_OVER_PYTHON + "x Python",
          String.format(Locale.US, "%.2fx", dictFour / pythonDictFour),
          dictFour >= GOAL_FOUR_OVER_PYTHON * pythonDictFour);
      section.goal("four callers' lock pairs >= " + GOAL_FOUR_OVER_PYTHON + "x Python",
          String.format(Locale.US, "%.2fx", lockFour / pythonLockFour),
          lockFour >= GOAL_FOUR_OVER_PYTHON * pythonLockFour);
    }
    return section;
  }

  /**
   * Four callers at once; operations per second from the first caller's timed start to the last
   * one's end, which leaves out each caller's start and untimed warm-up.
   */
  private static double fourAtOnce(Pool pool, SharedDict<Integer, Integer> dict, Lock lock,
      int count, boolean dictOps) throws Exception {
    List<long[]> callers = dictOps
        ? pool.starmap(ManagerTasks::dictOps, Collections.nCopies(CALLERS, List.of(dict, count)))
        : pool.starmap(ManagerTasks::lockPairs,
            Collections.nCopies(CALLERS, List.of(lock, count)));
    return perSecond(callers, (dictOps ? 2.0 : 1.0) * count);
  }

  /**
   * Operations per second of callers that each did {@code perCaller} of them in a window of
   * {@link System#nanoTime} (start, end), from the first start to the last end.
   */
  private static double perSecond(List<long[]> windows, double perCaller) {
    long first = windows.stream().mapToLong(one -> one[0]).min().orElseThrow();
    long last = windows.stream().mapToLong(one -> one[1]).max().orElseThrow();
    return perCaller * windows.size() / ((last - first) / 1e9);
  }

  private static String rate(double perSecond, String what) {
    return String.format(Locale.US, "%,.0f %s/s", perSecond, what);
  }
}
