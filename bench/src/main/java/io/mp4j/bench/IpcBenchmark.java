package io.mp4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mp4j.Connection;
import io.mp4j.Pipe;
import io.mp4j.Process;
import io.mp4j.Queue;
import io.mp4j.bench.Section.Side;
import java.io.EOFException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Benchmark 6: Queue, Pipe and Process between processes, against Python's multiprocessing
 * doing the same, and the bare JeroMQ one-hop round trip for the pipe.
 */
final class IpcBenchmark implements Benchmark {
  static final double GOAL_QUEUE_OVER_PYTHON = 2.0;
  static final double GOAL_PIPE_OVER_RAW = 1.2;
  private static final int ROUNDS = 5;
  private static final int WARMUP_ROUNDS = 4;
  private static final int MAX_WARMUP_ROUNDS = 16;
  /**
   * Untimed round trips per timed one, for the pipe and the bare path alike: after 500 the JVMs
   * on either path were still compiling it, and both p50s were about twice the warm ones.
   */
  private static final int RTT_WARMUP_PER_CALL = 10;
  /** Blocks of round trips in which the pipe and the bare path take turns. */
  private static final int RTT_BLOCKS = 10;

  @Override
  public String key() {
    return "ipc";
  }

  @Override
  public String title() {
    return "Queue, Pipe and Process between processes";
  }

  @Override
  public Section run(Benchmark.Context context) throws Exception {
    Sizes sizes = context.sizes();
    // Four times the sizes' count, for ints and 1 KiB arrays alike: a round of 20,000 1 KiB
    // items took about 50 ms, and one scheduling hiccup or recompilation in the broker's JVM
    // moved its rate by half or more.
    int items = sizes.queueItems() * 4;
    int calls = sizes.pipeCalls();
    int cycles = sizes.processCycles();
    Section section = new Section(key(), title(), String.format(Locale.US,
        "Queue: a producer process puts %,d small ints (then as many 1 KiB byte arrays) into a"
            + " queue that the parent takes from; items/s from the first item taken to the"
            + " last, median of %d rounds. Pipe: %,d sequential send and receive round trips"
            + " with an echoing child process, after %,d warm-up ones, in %d blocks that take"
            + " turns with as many of the bare round trip, warmed as long; and %,d one-way"
            + " messages, timed until the child's answer. Process: start then join of a"
            + " process that does nothing, %,d times after 10 warm-up ones, median. At least"
            + " %d discarded rounds of each queue and one-way run come first (the JIT of the"
            + " JVMs the processes run in and of the broker's queue path), and more, up to %d,"
            + " until a collection has come since this JVM's heap last grew (a young JVM's"
            + " first touch of the memory it grows into costs much on a virtual machine) and"
            + " the JIT compilers of every JVM of the run used under a tenth of each of the last"
            + " two rounds."
            + " mp4j runs in a local Context; Python with its default start method, and for"
            + " processes with 'spawn' too.",
        items, ROUNDS, calls, calls * RTT_WARMUP_PER_CALL, RTT_BLOCKS, calls * 5, cycles,
        WARMUP_ROUNDS, MAX_WARMUP_ROUNDS));

    double ints;
    double kibibytes;
    Latency roundTrip;
    Latency raw;
    double oneWay;
    double processMillis;
    int warmupRounds;
    try (io.mp4j.Context ctx = io.mp4j.Context.local()) {
      // Warm-up: the context starts worker JVMs as processes need them; they and the JIT are
      // warm before anything is timed.
      // Each kind of run several times in full, for both worker JVMs' JIT (a process lands on
      // either) and the broker's: after two rounds the broker was still compiling its queue
      // path, and its share of a round of 1 KiB items fell fivefold over the next four.
      warmupRounds = Warmup.untilSettled(WARMUP_ROUNDS, MAX_WARMUP_ROUNDS,
          Warmup.Memory.HEAP_SETTLED, () -> {
        queueRate(ctx, items, false);
        queueRate(ctx, items, true);
        pipeOneWay(ctx, calls * 5);
      });
      ints = median(() -> queueRate(ctx, items, false));
      kibibytes = median(() -> queueRate(ctx, items, true));
      Latency[] pipeAndRaw = pipeAndRawRoundTrips(ctx, calls * RTT_WARMUP_PER_CALL, calls);
      roundTrip = pipeAndRaw[0];
      raw = pipeAndRaw[1];
      oneWay = median(() -> pipeOneWay(ctx, calls * 5));
      processMillis = processStartJoin(ctx, cycles);
    }
    section.note("Discarded rounds of each queue and one-way run before the timed ones: "
        + warmupRounds + ".");
    section.figure(Side.MP4J, "Queue, small ints", rate(ints, "items"), "");
    section.figure(Side.MP4J, "Queue, 1 KiB byte arrays", rate(kibibytes, "items"), "");
    section.figure(Side.MP4J, "Pipe round trip", roundTrip.format(), roundTrip.detail());
    section.figure(Side.MP4J, "Pipe one way", rate(oneWay, "messages"), "");
    section.figure(Side.MP4J, "Process start to join", millis(processMillis), "median");

    JsonNode python = Benchmark.python(context, section, () -> context.python().run("ipc",
        "--items", items, "--calls", calls, "--cycles", cycles));
    Double pythonInts = null;
    Double pythonKibibytes = null;
    Double pythonOneWay = null;
    if (python != null) {
      pythonInts = python.get("queue_ints_per_s").asDouble();
      section.figure(Side.PYTHON, "Queue, small ints", rate(pythonInts, "items"), "");
      pythonKibibytes = python.get("queue_kib_per_s").asDouble();
      section.figure(Side.PYTHON, "Queue, 1 KiB byte arrays", rate(pythonKibibytes, "items"),
          "");
      Latency pythonTrip = Latency.of(PythonSide.longs(python.get("pipe_latencies_ns")));
      section.figure(Side.PYTHON, "Pipe round trip", pythonTrip.format(), pythonTrip.detail());
      pythonOneWay = python.get("pipe_one_way_per_s").asDouble();
      section.figure(Side.PYTHON, "Pipe one way", rate(pythonOneWay, "messages"), "");
      section.figure(Side.PYTHON, "Process start to join",
          millis(python.get("process_start_join_ms").asDouble()), "median, default method");
      section.figure(Side.PYTHON, "Process start to join, 'spawn'",
          millis(python.get("process_start_join_spawn_ms").asDouble()), "median");
    }
    section.figure(Side.LIMIT, "bare JeroMQ one-hop broker round trip", raw.format(),
        raw.detail());

    if (pythonInts != null) {
      section.goal("Queue small ints >= " + GOAL_QUEUE_OVER_PYTHON + "x Python",
          String.format(Locale.US, "%.2fx", ints / pythonInts),
          ints >= GOAL_QUEUE_OVER_PYTHON * pythonInts);
      section.goal("Queue 1 KiB byte arrays >= " + GOAL_QUEUE_OVER_PYTHON + "x Python",
          String.format(Locale.US, "%.2fx", kibibytes / pythonKibibytes),
          kibibytes >= GOAL_QUEUE_OVER_PYTHON * pythonKibibytes);
    }
    if (pythonOneWay != null) {
      section.goal("Pipe one-way messages/s >= Python",
          String.format(Locale.US, "%.2fx", oneWay / pythonOneWay), oneWay >= pythonOneWay);
    }
    double ratio = (double) roundTrip.p50Nanos() / raw.p50Nanos();
    section.goal("Pipe round trip p50 <= " + GOAL_PIPE_OVER_RAW + "x bare JeroMQ",
        String.format(Locale.US, "%.2fx", ratio), ratio <= GOAL_PIPE_OVER_RAW);
    return section;
  }

  private interface Measurement {
    double measure() throws Exception;
  }

  private static double median(Measurement measurement) throws Exception {
    double[] runs = new double[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      runs[i] = measurement.measure();
    }
    Arrays.sort(runs);
    return runs[ROUNDS / 2];
  }

  /** Items per second from a producer process to this one, first taken to last taken. */
  private static double queueRate(io.mp4j.Context ctx, int count, boolean kibibytes)
      throws Exception {
    Process producer;
    Queue<?> queue;
    if (kibibytes) {
      Queue<byte[]> bytes = ctx.queue(byte[].class);
      producer = ctx.process(IpcTasks::produceKibibytes, bytes, count);
      queue = bytes;
    } else {
      Queue<Integer> numbers = ctx.queue(Integer.class);
      producer = ctx.process(IpcTasks::produceInts, numbers, count);
      queue = numbers;
    }
    producer.start();
    queue.take();
    long first = System.nanoTime();
    for (int i = 1; i < count; i++) {
      queue.take();
    }
    double seconds = (System.nanoTime() - first) / 1e9;
    producer.join();
    return (count - 1) / seconds;
  }

  /**
   * The pipe's round trip with an echoing child and the bare one-hop round trip, timed in turns
   * of {@link #RTT_BLOCKS} blocks each, with both warmed first.
   */
  private static Latency[] pipeAndRawRoundTrips(io.mp4j.Context ctx, int warmup, int calls)
      throws Exception {
    Pipe<Integer> pipe = ctx.pipe(Integer.class);
    Process child = ctx.process(IpcTasks::echo, pipe.second());
    child.start();
    Latency[] both;
    try (RawZmq zmq = RawZmq.start()) {
      pipeRoundTrips(pipe.first(), warmup);
      zmq.roundTrips(warmup);
      both = Latency.interleaved(calls, RTT_BLOCKS,
          blockCalls -> pipeRoundTrips(pipe.first(), blockCalls), zmq::roundTrips);
    }
    pipe.first().close();
    child.join();
    return both;
  }

  private static long[] pipeRoundTrips(Connection<Integer> end, int calls) {
    long[] nanos = new long[calls];
    try {
      for (int i = 0; i < calls; i++) {
        long start = System.nanoTime();
        end.send(i);
        end.recv();
        nanos[i] = System.nanoTime() - start;
      }
    } catch (EOFException e) {
      throw new IllegalStateException("the echoing child stopped answering", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return nanos;
  }

  private static double pipeOneWay(io.mp4j.Context ctx, int messages) throws Exception {
    Pipe<Integer> pipe = ctx.pipe(Integer.class);
    Process child = ctx.process(IpcTasks::receiveThenAnswer, pipe.second(), messages);
    child.start();
    child.pid();
    long start = System.nanoTime();
    for (int i = 0; i < messages; i++) {
      pipe.first().send(i);
    }
    pipe.first().recv();
    double seconds = (System.nanoTime() - start) / 1e9;
    child.join();
    return messages / seconds;
  }

  private static double processStartJoin(io.mp4j.Context ctx, int cycles) throws Exception {
    for (int i = 0; i < 10; i++) {
      Process warm = ctx.process(IpcTasks::nothing);
      warm.start();
      warm.join();
    }
    double[] millis = new double[cycles];
    for (int i = 0; i < cycles; i++) {
      long start = System.nanoTime();
      Process process = ctx.process(IpcTasks::nothing);
      process.start();
      process.join();
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(millis);
    return millis[cycles / 2];
  }

  private static String rate(double perSecond, String what) {
    return String.format(Locale.US, "%,.0f %s/s", perSecond, what);
  }

  private static String millis(double value) {
    return String.format(Locale.US, "%.2f ms", value);
  }
}
